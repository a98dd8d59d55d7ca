using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Messaging;

/// <summary>Registers the Service Bus topic publisher and the start-up checks of the <c>Events</c> and <c>ServiceBusConnection</c> settings.</summary>
public static class ServiceBusServiceCollectionExtensions
{
    /// <summary>
    /// Adds the app's one <see cref="ServiceBusClient"/>, one <see cref="ServiceBusSender"/> for <c>Events__TopicName</c> and
    /// the <see cref="ServiceBusTopicPublisher"/> over it: singletons built on first use, so never when no connection is
    /// configured, and disposed with the container. A test substitutes the sender with one line,
    /// <c>services.AddSingleton&lt;ServiceBusSender&gt;(fake)</c>; the client is then never built.
    /// </summary>
    public static IServiceCollection AddServiceBusTopicPublisher(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(sp => ServiceBusClientFactory.Create(configuration, Events(sp)));
        services.TryAddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateSender(Events(sp).TopicName));
        services.TryAddSingleton(sp => new ServiceBusTopicPublisher(
            sp.GetRequiredService<ServiceBusSender>(), Events(sp), sp.GetRequiredService<ILogger<ServiceBusTopicPublisher>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventsOptions>>(new EventsSettingsValidator(configuration)));
        return services;
    }

    private static EventsOptions Events(IServiceProvider services) => services.GetRequiredService<IOptions<EventsOptions>>().Value;

    /// <summary>Checks at start-up that the budget, the size limit and, when the topic is on, its connection are usable, naming the setting.</summary>
    private sealed class EventsSettingsValidator(IConfiguration configuration) : IValidateOptions<EventsOptions>
    {
        private static readonly TimeSpan LongestBudget = TimeSpan.FromMinutes(5);

        public ValidateOptionsResult Validate(string? name, EventsOptions options)
        {
            var failures = new List<string>();
            if (options.PublishTimeout <= TimeSpan.Zero || options.PublishTimeout > LongestBudget || options.PublishAttemptTimeout <= TimeSpan.Zero)
            {
                failures.Add("Events__PublishTimeout (at most 00:05:00) and Events__PublishAttemptTimeout must be positive durations (e.g. 00:00:05).");
            }

            if (options.ServiceBusMaxMessageBytes is < 1024 or > 100 * 1024 * 1024)
            {
                failures.Add("Events__ServiceBusMaxMessageBytes must be between 1024 and 104857600.");
            }

            var configured = ServiceBusClientFactory.IsConfigured(configuration);
            switch (options.Transport?.Trim())
            {
                case null or "":
                case var t when string.Equals(t, "StorageQueue", StringComparison.OrdinalIgnoreCase):
                    break;
                case var t when string.Equals(t, "ServiceBus", StringComparison.OrdinalIgnoreCase):
                    if (!configured)
                    {
                        failures.Add(
                            $"Events__Transport is ServiceBus but no Service Bus connection is configured: set {ServiceBusClientFactory.NamespaceSetting} " +
                            $"(managed identity; {ServiceBusClientFactory.ConnectionName}__clientId for a user-assigned one) or " +
                            $"{ServiceBusClientFactory.ConnectionName} to a connection string. Events__Transport is retired: events go to the " +
                            "queue always and to the topic whenever a connection is set.");
                    }

                    break;
                default:
                    failures.Add("Events__Transport is retired; leave it unset (StorageQueue and ServiceBus are still accepted).");
                    break;
            }

            if (configured)
            {
                if (string.IsNullOrWhiteSpace(options.TopicName))
                {
                    failures.Add("Events__TopicName must not be empty when a Service Bus connection is configured.");
                }
                else if (ServiceBusClientFactory.Validate(configuration, options.TopicName) is { } problem)
                {
                    failures.Add(problem);
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
