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
}

/// <summary>The event transports this product supports.</summary>
public enum EventTransport
{
    /// <summary>An Azure Storage queue (Azurite locally; also usable in Azure).</summary>
    StorageQueue,

    /// <summary>An Azure Service Bus topic, published over its REST API.</summary>
    ServiceBus,
}
