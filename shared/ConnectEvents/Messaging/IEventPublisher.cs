namespace ConnectEvents.Messaging;

/// <summary>Durably enqueues a verified event for processing; returns only once the transport has accepted it.</summary>
public interface IEventPublisher
{
    /// <summary>Publishes one event. Completes only when the message is durably stored.</summary>
    /// <exception cref="EventPublishException">The transport could not store the message; the caller must not acknowledge the event.</exception>
    Task PublishAsync(EventMessage message, CancellationToken cancellationToken);
}
