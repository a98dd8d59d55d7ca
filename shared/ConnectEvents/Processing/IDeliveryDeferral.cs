namespace ConnectEvents.Processing;

/// <summary>Puts a delivered message back on the queue it came from, to be delivered again later as a new message.</summary>
public interface IDeliveryDeferral
{
    /// <summary>Enqueues <paramref name="body"/> on <paramref name="queue"/>, visible after <paramref name="delay"/>; completes once it is durably stored.</summary>
    /// <exception cref="Messaging.EventPublishException">The queue did not take it.</exception>
    Task DeferAsync(string queue, ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken);
}
