using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace ConnectEvents.Messaging;

/// <summary>Registers the Service Bus REST publisher: connection, token source, the resilient named HttpClient and start-up validation.</summary>
public static partial class ServiceBusServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ServiceBusEventPublisher"/> (resolved only when <c>Events__Transport</c> is <c>ServiceBus</c>) and
    /// validates the <c>ServiceBusConnection</c> settings at start-up in that case.
    /// </summary>
    public static IServiceCollection AddServiceBusPublisher(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventsOptions>>(new ServiceBusSettingsValidator(configuration)));
        services.TryAddSingleton(_ => ServiceBusConnection.FromConfiguration(configuration));
        services.TryAddSingleton<IServiceBusTokenSource>(sp =>
        {
            var connection = sp.GetRequiredService<ServiceBusConnection>();
            var time = sp.GetRequiredService<TimeProvider>();
            var topic = sp.GetRequiredService<IOptions<EventsOptions>>().Value.TopicName;
            if (connection.SharedAccessSignature is { } token)
            {
                return new FixedTokenSource(token);
            }

            return connection.UsesEntraId
                ? new EntraTokenSource(EntraTokenSource.CredentialFor(connection), time)
                : new SasTokenSource(SasResource(connection, topic), connection.SharedAccessKeyName!, connection.SharedAccessKey!, time);
        });
        services.AddTransient<ServiceBusAuthorizationHandler>();
        var client = services.AddHttpClient(ServiceBusEventPublisher.HttpClientName);
        client.AddResilienceHandler("service-bus-send", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<EventsOptions>>().Value;
                var logger = context.ServiceProvider.GetRequiredService<ILogger<ServiceBusEventPublisher>>();
                // Outermost: the whole budget; then retries of 408/429/5xx/network failures with jittered exponential
                // backoff that honours Retry-After; innermost: one attempt's timeout, itself retried. Re-sending a POST whose
                // answer was lost is safe: the topic's duplicate detection drops a second message with the same MessageId.
                pipeline.AddTimeout(options.PublishTimeout)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = 10,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromMilliseconds(100),
                        MaxDelay = TimeSpan.FromSeconds(2),
                        ShouldRetryAfterHeader = true,
                        OnRetry = args =>
                        {
                            LogRetry(logger, args.AttemptNumber + 1, args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "?", args.RetryDelay.TotalMilliseconds);
                            return default;
                        },
                    })
                    .AddTimeout(options.PublishAttemptTimeout < options.PublishTimeout ? options.PublishAttemptTimeout : options.PublishTimeout);
            });
        client.AddHttpMessageHandler<ServiceBusAuthorizationHandler>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EventsOptions>>().Value;
            var connection = sp.GetRequiredService<ServiceBusConnection>();
            return new ServiceBusEventPublisher(sp.GetRequiredService<IHttpClientFactory>(), options.ServiceBusEndpoint ?? connection.RestEndpoint,
                options.TopicName, options, sp.GetRequiredService<ILogger<ServiceBusEventPublisher>>());
        });
        return services;
    }

    /// <summary>The resource a SAS token is issued for: the topic's HTTPS address on the namespace.</summary>
    internal static string SasResource(ServiceBusConnection connection, string topic) =>
        $"https://{connection.FullyQualifiedNamespace}/{topic}";

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Service Bus send attempt {Attempt} failed ({Outcome}); retrying in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, int attempt, string outcome, double delayMs);

    /// <summary>When the transport is Service Bus, checks at start-up that the connection and timeouts are usable, naming the setting.</summary>
    private sealed class ServiceBusSettingsValidator(IConfiguration configuration) : IValidateOptions<EventsOptions>
    {
        public ValidateOptionsResult Validate(string? name, EventsOptions options)
        {
            if (options.Transport != EventTransport.ServiceBus)
            {
                return ValidateOptionsResult.Success;
            }

            var failures = new List<string>();
            if (string.IsNullOrWhiteSpace(options.TopicName))
            {
                failures.Add("Events__TopicName must not be empty when Events__Transport is ServiceBus.");
            }

            if (options.PublishTimeout <= TimeSpan.Zero || options.PublishAttemptTimeout <= TimeSpan.Zero)
            {
                failures.Add("Events__PublishTimeout and Events__PublishAttemptTimeout must be positive durations (e.g. 00:00:05).");
            }

            if (options.ServiceBusMaxMessageBytes is < 1024 or > 100 * 1024 * 1024)
            {
                failures.Add("Events__ServiceBusMaxMessageBytes must be between 1024 and 104857600.");
            }

            try
            {
                var connection = ServiceBusConnection.FromConfiguration(configuration);
                if (connection.EntityPath is { } path && !string.Equals(path, options.TopicName, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"ServiceBusConnection is for entity '{path}' but Events__TopicName is '{options.TopicName}'.");
                }
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(ex.Message);
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
