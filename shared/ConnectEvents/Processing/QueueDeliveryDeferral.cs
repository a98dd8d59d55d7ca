using ConnectEvents.Messaging;

namespace ConnectEvents.Processing;

/// <summary>
/// Defers onto the delivering queue itself: a message sent with an initial invisibility, so the trigger delivers it
/// again when the delay is over, with a fresh delivery budget. Each platform's copies go back to its own queue.
/// </summary>
/// <param name="queues">The app's queue senders.</param>
public sealed class QueueDeliveryDeferral(QueueSenders queues) : IDeliveryDeferral
{
    /// <inheritdoc />
    public Task DeferAsync(string queue, ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken) =>
        queues.For(queue).SendAsync(body, delay, cancellationToken);
}
