namespace ConnectEvents.Processing;

/// <summary>
/// One platform's processing of its queue's messages: reads the message (or quarantines what cannot be read), builds the
/// claim and runs its handler through <see cref="ExactlyOnceProcessor"/>. The trigger adapter (<see cref="QueueDelivery"/>)
/// is the same for every platform.
/// </summary>
public interface IQueuePipeline
{
    /// <summary>The queue this pipeline's trigger listens on (a deferred copy goes back there).</summary>
    string QueueName { get; }

    /// <summary>Processes one delivery. Never throws for bad input or transient trouble: the result says what the trigger should do.</summary>
    Task<ProcessingResult> ProcessAsync(TriggerMessage message, CancellationToken cancellationToken);
}
