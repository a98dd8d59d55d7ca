namespace ConnectEvents.Messaging;

/// <summary>
/// The webhook's processing-queue transport: the message is the exact raw event bytes (through <see cref="QueueSender"/>),
/// so the processor receives byte for byte what Worldline signed.
/// </summary>
/// <param name="queue">The processing queue (<c>Events__QueueName</c>).</param>
public sealed class StorageQueueEventPublisher(QueueSender queue) : IEventPublisher
{
    /// <summary>The queue events are sent to.</summary>
    public QueueSender Queue { get; } = queue ?? throw new ArgumentNullException(nameof(queue));

    /// <inheritdoc />
    /// <exception cref="EventTooLargeException">The event is larger than <see cref="QueueSender.MaxRawBytes"/>.</exception>
    public Task PublishAsync(EventMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Queue.SendAsync(message.Body, null, cancellationToken);
    }
}
