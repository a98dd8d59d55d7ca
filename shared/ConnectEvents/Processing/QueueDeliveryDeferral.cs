using ConnectEvents.Messaging;

namespace ConnectEvents.Processing;

/// <summary>
/// Defers onto the delivering queue itself: a message sent with an initial invisibility, so the trigger delivers it
/// again when the delay is over, with a fresh delivery budget. Each platform's copies go back to its own queue. A copy's
/// processing is a trace of its own, linked to the delivery that sent it.
/// </summary>
/// <param name="queues">The app's queue senders.</param>
public sealed class QueueDeliveryDeferral(QueueSenders queues) : IDeliveryDeferral
{
    /// <inheritdoc />
    public Task DeferAsync(string queue, ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken) =>
        queues.For(queue).SendReceiptedAsync(body, delay, QueueTraceMode.Link, null, cancellationToken);

    /// <inheritdoc />
    public async Task<ArmedCopy> ArmAsync(string queue, ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken)
    {
        var sent = await queues.For(queue).SendReceiptedAsync(body, delay, QueueTraceMode.Link, null, cancellationToken);
        return new ArmedCopy(queue, sent.MessageId, sent.PopReceipt);
    }

    /// <inheritdoc />
    public Task DisarmAsync(ArmedCopy copy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(copy);
        return queues.For(copy.Queue).DeleteAsync(copy.MessageId, copy.PopReceipt, cancellationToken);
    }
}
