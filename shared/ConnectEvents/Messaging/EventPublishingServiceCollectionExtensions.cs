using Azure.Messaging.ServiceBus;
using ConnectEvents.Diagnostics;
using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Messaging;

/// <summary>Registers where verified events go: the processing queue, and the Service Bus topic when a connection is set.</summary>
public static class EventPublishingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="StorageClients"/> from <c>AzureWebJobsStorage</c> and the webhook's <see cref="IEventPublisher"/>: a
    /// <see cref="FanOutEventPublisher"/> over the processing queue and, when <c>ServiceBusConnection</c> or
    /// <c>ServiceBusConnection__fullyQualifiedNamespace</c> is set, the Service Bus topic. The app's one
    /// <see cref="ServiceBusClient"/>, its <see cref="ServiceBusSender"/> for <c>Events__TopicName</c> and the
    /// <see cref="ServiceBusTopicPublisher"/> are singletons built on first use, so never when no connection is configured,
    /// and disposed with the container. A test substitutes the sender with one line,
    /// <c>services.AddSingleton&lt;ServiceBusSender&gt;(fake)</c>; the client is then never built.
    /// </summary>
    public static IServiceCollection AddEventPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<EventsOptions>(configuration, EventsOptions.SectionName).Configure(o => o.Connections = configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(configuration);
        services.TryAddSingleton(sp => ServiceBusClientFactory.Create(configuration, Events(sp)));
        services.TryAddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateSender(Events(sp).TopicName));
        services.TryAddSingleton(sp => new ServiceBusTopicPublisher(
            sp.GetRequiredService<ServiceBusSender>(), Events(sp), sp.GetRequiredService<ILogger<ServiceBusTopicPublisher>>()));
        services.TryAddSingleton<QueueSenders>();
        services.TryAddSingleton(sp => new StorageQueueEventPublisher(sp.GetRequiredService<QueueSenders>().For(Events(sp).QueueName)));
        // Whether the topic is on is decided when the publisher is first resolved, not here: hosts and tests may add settings after registration.
        services.TryAddSingleton<IEventPublisher>(sp => new FanOutEventPublisher(
            sp.GetRequiredService<StorageQueueEventPublisher>(),
            ServiceBusClientFactory.IsConfigured(configuration) ? sp.GetRequiredService<ServiceBusTopicPublisher>() : null,
            Events(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ConnectEventsMetrics>()));
        return services;
    }

    private static EventsOptions Events(IServiceProvider services) => services.GetRequiredService<IOptions<EventsOptions>>().Value;
}
