using ConnectEvents.Messaging;

namespace ConnectEvents.Processing;

/// <summary>Puts an event back on the processing queue to be delivered again later, as a new message.</summary>
public interface IDeliveryDeferral
{
    /// <summary>Enqueues <paramref name="body"/> to become visible after <paramref name="delay"/>; completes once it is durably stored.</summary>
    /// <exception cref="EventPublishException">The queue did not take it.</exception>
    Task DeferAsync(ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>
/// Defers on the events queue itself, through the webhook's own queue publisher: a message sent with an initial
/// invisibility, so the trigger delivers it again when the delay is over, with a fresh delivery budget.
/// </summary>
/// <param name="queue">The events queue's publisher (<c>Events__QueueName</c>).</param>
public sealed class QueueDeliveryDeferral(StorageQueueEventPublisher queue) : IDeliveryDeferral
{
    /// <inheritdoc />
    public Task DeferAsync(ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken) =>
        queue.PublishLaterAsync(body, delay, cancellationToken);
}
