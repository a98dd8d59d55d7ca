namespace ConnectEvents.Messaging;

/// <summary>Durable storage for signed but unusable events.</summary>
public interface IQuarantineStore
{
    /// <summary>Stores the entry; completes only once it is durable.</summary>
    /// <exception cref="EventPublishException">Storage did not accept it; the webhook must answer non-2xx.</exception>
    Task StoreAsync(QuarantinedEvent entry, CancellationToken cancellationToken);
}
