using System.Net;
using ConnectEvents.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;

namespace ConnectEvents.ConnectApi;

/// <summary>Registers the one shared Connect client: options validated at start-up, resilience outside, signing per attempt inside.</summary>
public static class ConnectClientServiceCollectionExtensions
{
    /// <summary>The named HttpClient behind <see cref="IConnectClient"/>.</summary>
    public const string HttpClientName = "connect";

    /// <summary>Adds <see cref="IConnectClient"/> bound to the <c>Connect</c> configuration section.</summary>
    public static IServiceCollection AddConnectClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<ConnectOptions>(configuration, ConnectOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddTransient<SigningHandler>();
        services.TryAddTransient<LoggingHandler>();
        services.AddConnectEventsMetrics().TryAddTransient<ConnectCallMetricsHandler>();

        var http = services.AddHttpClient<IConnectClient, ConnectClient>(HttpClientName, (sp, http) =>
            {
                // Off (Connect__Enabled=false), no endpoint is required: the client is still constructible (function classes
                // take it in their constructors and answer 404), never called.
                var options = sp.GetRequiredService<IOptionsMonitor<ConnectOptions>>().CurrentValue;
                if (options.Enabled)
                {
                    var endpoint = options.ResolveEndpoint();
                    http.BaseAddress = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
                }

                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .ConfigurePrimaryHttpMessageHandler(PrimaryHandler)
            // The factory's own per-request Information logs would print every payment URL on every call; LoggingHandler
            // logs what is needed, obfuscated, at Debug, and costs nothing when off.
            .RemoveAllLoggers();

        // Order matters: resilience outermost, then the answer read whole within the attempt, then signing per attempt (a
        // retry gets a fresh Date and signature), then logging of what went out. One rule decides every retry: InCallRetry.
        http.AddResilienceHandler("connect-pipeline", static (builder, context) =>
            {
                // Read once when the pipeline is built: timeouts and retries take effect on restart (the signing key is live).
                var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<ConnectOptions>>().CurrentValue;
                var time = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
                builder.AddTimeout(InCallRetry.TotalTimeout(options.TotalTimeout, time));
                if (options.MaxRetries > 0)
                {
                    builder.AddRetry(InCallRetry.Retry(options.MaxRetries, options.RetryBaseDelay, time, ConnectClient.FailureOf, InCallRetry.IsSafeToRepeat));
                }

                builder
                    .AddCircuitBreaker(InCallRetry.CircuitBreaker(ConnectClient.FailureOf))
                    .AddTimeout(options.AttemptTimeout);
            });
        http.AddHttpMessageHandler(() => new ResponseBufferingHandler(ConnectClient.MaxAnswerBytes));
        http.AddHttpMessageHandler<SigningHandler>();
        http.AddHttpMessageHandler<LoggingHandler>();
        http.AddHttpMessageHandler<ConnectCallMetricsHandler>(); // innermost: one duration per attempt, by operation and status
        http.AddHttpMessageHandler(() => new OutboundCallTracingHandler(ConnectCallMetricsHandler.Describe)); // one client span per attempt
        return services;
    }

    /// <summary>The connection pool of an outbound API client: connections renewed every 5 minutes (DNS changes), 5 s to connect.</summary>
    internal static SocketsHttpHandler PrimaryHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AutomaticDecompression = DecompressionMethods.All,
        MaxConnectionsPerServer = 256,
    };
}
