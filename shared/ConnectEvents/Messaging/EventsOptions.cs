using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.Messaging;

/// <summary>Where verified events go (configuration section <c>Events</c>): the processing queue always, the Service Bus topic when one is configured.</summary>
public sealed class EventsOptions : IValidatableObject
{
    private static readonly TimeSpan LongestBudget = TimeSpan.FromMinutes(5);

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
        switch (Transport?.Trim())
        {
            case null or "":
            case var t when string.Equals(t, "StorageQueue", StringComparison.OrdinalIgnoreCase):
                break;
            case var t when string.Equals(t, "ServiceBus", StringComparison.OrdinalIgnoreCase):
                if (!configured)
                {
                    yield return new ValidationResult(
                        $"Events__Transport is ServiceBus but no Service Bus connection is configured: set {ServiceBusClientFactory.NamespaceSetting} " +
                        $"(managed identity; {ServiceBusClientFactory.ConnectionName}__clientId for a user-assigned one) or " +
                        $"{ServiceBusClientFactory.ConnectionName} to a connection string. Events__Transport is retired: events go to the " +
                        "queue always and to the topic whenever a connection is set.");
                }

                break;
            default:
                yield return new ValidationResult("Events__Transport is retired; leave it unset (StorageQueue and ServiceBus are still accepted).");
                break;
        }

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
