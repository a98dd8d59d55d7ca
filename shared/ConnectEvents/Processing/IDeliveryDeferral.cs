namespace ConnectEvents.Processing;

/// <summary>Puts a delivered message back on the queue it came from, to be delivered again later as a new message.</summary>
public interface IDeliveryDeferral
{
    /// <summary>Enqueues <paramref name="body"/> on <paramref name="queue"/>, visible after <paramref name="delay"/>; completes once it is durably stored.</summary>
    /// <exception cref="Messaging.EventPublishException">The queue did not take it.</exception>
    Task DeferAsync(string queue, ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>
    /// Enqueues a copy of <paramref name="body"/> on <paramref name="queue"/>, visible after <paramref name="delay"/>, that
    /// stays unless <see cref="DisarmAsync"/> cancels it: the delivery's successor should the process die under it.
    /// </summary>
    /// <exception cref="Messaging.EventPublishException">The queue did not take it.</exception>
    Task<ArmedCopy> ArmAsync(string queue, ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>Deletes an armed copy before it is delivered (nothing to do when it already was).</summary>
    /// <exception cref="Messaging.EventPublishException">The queue could not be reached.</exception>
    Task DisarmAsync(ArmedCopy copy, CancellationToken cancellationToken);
}
