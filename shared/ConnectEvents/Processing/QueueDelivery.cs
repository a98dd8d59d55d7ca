using System.Diagnostics;
using ConnectEvents.Diagnostics;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>
/// The queue trigger's side of processing, the same for every platform: turns the trigger's dequeue count into a
/// <see cref="TriggerMessage"/>, telling the pipeline whether this is the last delivery by the host's own
/// <c>maxDequeueCount</c>, counts the delivery from what the pipeline answered, and fails the invocation when the message
/// must come back. Each delivery is one <c>process {queue}</c> span, in the trace the message carries (see
/// <see cref="QueueTraceHeader"/>); the pipeline gets the event's exact bytes, without the trace line.
/// </summary>
/// <param name="options">Holds host.json's <c>extensions.queues.maxDequeueCount</c>, as the trigger reads it.</param>
/// <param name="metrics">Counts every delivery by family, outcome and disposition, with its duration.</param>
public sealed class QueueDelivery(IOptionsMonitor<ProcessingOptions> options, ConnectEventsMetrics metrics)
{
    /// <summary>
    /// Processes the message through <paramref name="pipeline"/>. Returns when it is done with (completed, skipped,
    /// deferred, failed for good or quarantined); throws <see cref="EventDeliveryFailedException"/> when the trigger must
    /// deliver it again (or poison it after the last try).
    /// </summary>
    public async Task<ProcessingResult> HandleAsync(IQueuePipeline pipeline, ReadOnlyMemory<byte> body, long dequeueCount, string? messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var delivery = (int)Math.Clamp(dequeueCount, 1, int.MaxValue);
        var last = delivery >= options.CurrentValue.MaxDequeueCount;
        var started = Stopwatch.GetTimestamp();
        var header = QueueTraceHeader.Read(body, out var eventBytes);
        using var span = ProcessingSpan.Start(pipeline.QueueName, header, messageId, delivery);
        var result = await pipeline.ProcessAsync(new TriggerMessage(pipeline.QueueName, eventBytes, delivery, messageId, last), cancellationToken);
        metrics.EventProcessed(result.EventType, result.Outcome, result.Disposition, Stopwatch.GetElapsedTime(started));
        ProcessingSpan.End(span, result);
        return result.IsSuccess ? result : throw new EventDeliveryFailedException($"message {messageId}, delivery {delivery}: {result.Summary}");
    }
}
