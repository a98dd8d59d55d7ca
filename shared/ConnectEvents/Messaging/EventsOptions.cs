namespace ConnectEvents.Messaging;

/// <summary>Where verified events go (configuration section <c>Events</c>).</summary>
public sealed class EventsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Events";

    /// <summary>The transport: <see cref="EventTransport.StorageQueue"/> (default; Azurite locally) or <see cref="EventTransport.ServiceBus"/> (Azure).</summary>
    public EventTransport Transport { get; set; } = EventTransport.StorageQueue;

    /// <summary>The Storage queue name (the processor's queue trigger listens on it).</summary>
    public string QueueName { get; set; } = "connect-events";

    /// <summary>The Service Bus topic name.</summary>
    public string TopicName { get; set; } = "connect-events";

    /// <summary>
    /// Overrides the Service Bus REST base address (normally <c>https://{ServiceBusConnection__fullyQualifiedNamespace}/</c>);
    /// for tests against a loopback broker. SAS tokens are still issued for the namespace from the connection.
    /// </summary>
    public Uri? ServiceBusEndpoint { get; set; }

    /// <summary>Total time one publish may take, retries included; stays well under the time Worldline waits for the webhook answer.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time one Service Bus send attempt may take before it is abandoned and retried.</summary>
    public TimeSpan PublishAttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest raw event sent to Service Bus (Standard tier: 256 KiB per message, headers included); larger events are quarantined.</summary>
    public int ServiceBusMaxMessageBytes { get; set; } = 240 * 1024;
}

/// <summary>The event transports this product supports.</summary>
public enum EventTransport
{
    /// <summary>An Azure Storage queue (Azurite locally; also usable in Azure).</summary>
    StorageQueue,

    /// <summary>An Azure Service Bus topic, published over its REST API.</summary>
    ServiceBus,
}
