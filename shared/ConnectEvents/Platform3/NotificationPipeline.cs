using ConnectEvents.Idempotence;
using ConnectEvents.Processing;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Platform3;

/// <summary>
/// The v3 platform's processing pipeline, on the same exactly-once processor as Connect's: reads the queued notification
/// (quarantining a message that is not one), and claims its payment's key <c>v3:&lt;merchant&gt;:&lt;reference&gt;</c> as a
/// recurring key (<see cref="ClaimRecurrence"/>), so that
/// <list type="bullet">
/// <item>deduplication never trusts the body: a notification asks only for a round that looks at the payment after the
/// notification arrived; a round already begun after that covers it, and the round's inquiry decides;</item>
/// <item>at most one inquiry per payment is in flight (the claim's lease), rounds begin at least
/// <c>Platform3__InquiryInterval</c> apart, and a burst of notifications costs at most two;</item>
/// <item>a payment has one record whatever is posted to its URL, and each verified status change is published once
/// (<see cref="NotificationHandler"/>).</item>
/// </list>
/// Connect event ids never start with <c>v3:</c>, so both platforms share the store without colliding.
/// </summary>
/// <param name="exactlyOnce">Claims, records, gives back and defers.</param>
/// <param name="handler">One round: the inquiry and the publish.</param>
/// <param name="options">The queue and the round spacing.</param>
public sealed class NotificationPipeline(ExactlyOnceProcessor exactlyOnce, NotificationHandler handler, IOptionsMonitor<Platform3Options> options) : IQueuePipeline
{
    /// <summary>The prefix of every v3 key in the processed-event store.</summary>
    public const string KeyPrefix = "v3:";

    /// <summary>The event type stored on v3 records (its family tag is <c>v3</c>).</summary>
    public const string EventType = "v3.notification";

    /// <summary>How much later than a notification's arrival a round must begin to cover it: clocks of two instances may differ this much.</summary>
    public static readonly TimeSpan ClockAllowance = TimeSpan.FromSeconds(1);

    /// <summary>The processed-event key of one v3 payment.</summary>
    public static string ClaimKey(string merchantId, string reference) => $"{KeyPrefix}{merchantId}:{reference}";

    /// <inheritdoc />
    public string QueueName => options.CurrentValue.QueueName;

    /// <inheritdoc />
    public async Task<ProcessingResult> ProcessAsync(TriggerMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (NotificationMessage.Decode(message.Body, out var error) is not { } notification)
        {
            // Only the ingress writes this queue: a message it did not write is kept for an operator, never retried forever.
            return await exactlyOnce.QuarantineAsync(message, error!, cancellationToken);
        }

        var key = ClaimKey(notification.MerchantId, notification.Reference);
        var info = new EventClaimInfo(EventType, notification.MerchantId, notification.Reference)
        {
            Recurrence = new ClaimRecurrence(notification.ReceivedAt + ClockAllowance, options.CurrentValue.InquiryInterval),
        };
        var result = await exactlyOnce.RunAsync(new ClaimRequest(key, key, info), notification, handler, message, cancellationToken);
        // The record's outcome is "<category> <code>"; the metric counts the category alone (a bounded set).
        return result.Outcome is { } outcome && outcome.IndexOf(' ', StringComparison.Ordinal) is var space and > 0
            ? result with { Outcome = outcome[..space] }
            : result;
    }
}
