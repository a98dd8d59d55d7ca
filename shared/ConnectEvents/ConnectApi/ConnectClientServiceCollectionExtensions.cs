using System.Net;
using ConnectEvents.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

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

        // Order matters: resilience outermost, then signing per attempt (a retry gets a fresh Date and signature), then logging of what went out.
        http.AddResilienceHandler("connect-pipeline", static (builder, context) =>
            {
                // Read once when the pipeline is built: timeouts and retries take effect on restart (the signing key is live).
                var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<ConnectOptions>>().CurrentValue;
                builder.AddTimeout(options.TotalTimeout);
                if (options.MaxRetries > 0)
                {
                    builder.AddRetry(TransientRetry(options.MaxRetries, options.RetryBaseDelay, IsSafeToRepeat));
                }

                builder
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = 0.5,
                        MinimumThroughput = 20,
                        SamplingDuration = TimeSpan.FromSeconds(30),
                        BreakDuration = TimeSpan.FromSeconds(5),
                        ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    })
                    .AddTimeout(options.AttemptTimeout);
            });
        http.AddHttpMessageHandler<SigningHandler>();
        http.AddHttpMessageHandler<LoggingHandler>();
        http.AddHttpMessageHandler<ConnectCallMetricsHandler>(); // innermost: one duration per attempt, by operation and status
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

    /// <summary>Exponential retries with jitter (capped at 5 s, Retry-After honoured) of transient failures of requests <paramref name="safeToRepeat"/> allows.</summary>
    internal static HttpRetryStrategyOptions TransientRetry(int maxRetries, TimeSpan baseDelay, Func<HttpRequestMessage?, bool> safeToRepeat) => new()
    {
        MaxRetryAttempts = maxRetries,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = baseDelay,
        MaxDelay = TimeSpan.FromSeconds(5),
        ShouldRetryAfterHeader = true,
        ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome) && safeToRepeat(args.Context.GetRequestMessage())),
    };

    /// <summary>Failures worth another attempt: no response, an attempt timeout, or 500/502/503.</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException or IOException } => true,
        { Result.StatusCode: HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable } => true,
        _ => false,
    };

    /// <summary>GET is always safe to repeat; POST and DELETE only with an idempotence key. Nothing else is ever repeated.</summary>
    internal static bool IsSafeToRepeat(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Headers.Contains(ConnectClient.IdempotenceKeyHeader));
}
