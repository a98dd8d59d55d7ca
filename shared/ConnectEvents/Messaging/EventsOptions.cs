using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.Messaging;

/// <summary>Where verified events go (configuration section <c>Events</c>): the processing queue always, the Service Bus topic when one is configured.</summary>
public sealed class EventsOptions : IValidatableObject
{
    private static readonly TimeSpan LongestBudget = TimeSpan.FromMinutes(5);

    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Events";

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

    /// <summary>The configuration holding the <c>ServiceBusConnection</c> settings the checks read (set at registration, not bound).</summary>
    internal IConfiguration? Connections { get; set; }

    /// <summary>Checks at start-up that the queue, the budget, the size limit and, when the topic is on, its connection are usable, naming the setting.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(QueueName))
        {
            yield return new ValidationResult("Events__QueueName must not be empty.");
        }

        if (PublishTimeout <= TimeSpan.Zero || PublishTimeout > LongestBudget || PublishAttemptTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Events__PublishTimeout (at most 00:05:00) and Events__PublishAttemptTimeout must be positive durations (e.g. 00:00:05).");
        }

        if (ServiceBusMaxMessageBytes is < 1024 or > 100 * 1024 * 1024)
        {
            yield return new ValidationResult("Events__ServiceBusMaxMessageBytes must be between 1024 and 104857600.");
        }

        var configured = Connections is not null && ServiceBusClientFactory.IsConfigured(Connections);
        if (configured)
        {
            if (string.IsNullOrWhiteSpace(TopicName))
            {
                yield return new ValidationResult("Events__TopicName must not be empty when a Service Bus connection is configured.");
            }
            else if (ServiceBusClientFactory.Validate(Connections!, TopicName) is { } problem)
            {
                yield return new ValidationResult(problem);
            }
        }
    }
}
