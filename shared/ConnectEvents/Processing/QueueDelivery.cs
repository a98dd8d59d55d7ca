using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>One delivered queue message: the exact event bytes and where it stands in the trigger's delivery budget.</summary>
/// <param name="Body">The raw event as Worldline sent it.</param>
/// <param name="DeliveryCount">1 on the first delivery (the queue message's dequeue count).</param>
/// <param name="MessageId">The queue's message id, for logs.</param>
/// <param name="IsLastDelivery">True when the trigger moves the message to the poison queue if this delivery fails (host.json maxDequeueCount reached).</param>
public sealed record TriggerMessage(ReadOnlyMemory<byte> Body, int DeliveryCount, string? MessageId, bool IsLastDelivery);

/// <summary>
/// The delivery failed in a way another delivery can fix (transient Connect or storage trouble, the event held by another
/// delivery, or the last delivery that leaves the record marked): the queue trigger makes the message visible again after
/// its visibility timeout and moves it to the poison queue after <c>maxDequeueCount</c>.
/// </summary>
public sealed class EventDeliveryFailedException : Exception
{
    /// <summary>Creates the exception with the processor's one-line summary.</summary>
    public EventDeliveryFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public EventDeliveryFailedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no detail.</summary>
    public EventDeliveryFailedException() : base("The event delivery failed; it will be delivered again.") { }
}

/// <summary>
/// The queue trigger's side of processing: turns the trigger's dequeue count into a <see cref="TriggerMessage"/>, telling
/// the processor whether this is the last delivery by the host's own <c>maxDequeueCount</c>, and fails the invocation
/// when the message must come back.
/// </summary>
/// <param name="processor">The Connect event processor.</param>
/// <param name="options">Holds host.json's <c>extensions.queues.maxDequeueCount</c>, as the trigger reads it.</param>
/// <param name="metrics">Counts every delivery by family, outcome and disposition, with its duration.</param>
public sealed class QueueDelivery(EventProcessor processor, IOptionsMonitor<ProcessingOptions> options, Diagnostics.ConnectEventsMetrics metrics)
{
    /// <summary>
    /// Processes the message. Returns when it is done with (completed, skipped, failed for good or quarantined); throws
    /// <see cref="EventDeliveryFailedException"/> when the trigger must deliver it again (or poison it after the last try).
    /// </summary>
    public async Task<ProcessingResult> HandleAsync(ReadOnlyMemory<byte> body, long dequeueCount, string? messageId, CancellationToken cancellationToken)
    {
        var delivery = (int)Math.Clamp(dequeueCount, 1, int.MaxValue);
        var last = delivery >= options.CurrentValue.MaxDequeueCount;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await processor.ProcessAsync(new TriggerMessage(body, delivery, messageId, last), cancellationToken);
        metrics.EventProcessed(Diagnostics.ConnectEventsMetrics.FamilyOf(body.Span), result.Outcome, result.Disposition, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return result.IsSuccess ? result : throw new EventDeliveryFailedException($"message {messageId}, delivery {delivery}: {result.Summary}");
    }
}
