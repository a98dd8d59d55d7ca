namespace ConnectEvents.Messaging;

/// <summary>Where verified events go (configuration section <c>Events</c>): the processing queue always, the Service Bus topic when one is configured.</summary>
public sealed class EventsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Events";

    /// <summary>
    /// Retired: the queue is always published to, and the topic is on exactly when <c>ServiceBusConnection</c> or
    /// <c>ServiceBusConnection__fullyQualifiedNamespace</c> is set. Still read so that <c>ServiceBus</c> without a connection
    /// stops the app at start-up instead of silently publishing to the queue only; <c>StorageQueue</c> or unset is fine.
    /// </summary>
    public string? Transport { get; set; }

    /// <summary>The Storage queue name (the processor's queue trigger listens on it).</summary>
    public string QueueName { get; set; } = "connect-events";

    /// <summary>The Service Bus topic name.</summary>
    public string TopicName { get; set; } = "connect-events";

    /// <summary>Total time one publish may take, both transports and their retries included; stays well under the time Worldline waits for the webhook answer.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time one Service Bus send attempt may take before it is abandoned and retried (capped at <see cref="PublishTimeout"/>).</summary>
    public TimeSpan PublishAttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest raw event sent to Service Bus (Standard tier: 256 KiB per message, headers and properties included); larger events are quarantined.</summary>
    public int ServiceBusMaxMessageBytes { get; set; } = 240 * 1024;
}
