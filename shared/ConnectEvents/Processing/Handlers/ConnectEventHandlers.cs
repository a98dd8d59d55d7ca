using ConnectEvents.Events;

namespace ConnectEvents.Processing.Handlers;

/// <summary>
/// Hands each Connect event to its family's handler. A family nobody handles is recorded as <see cref="EventOutcomes.NoAction"/>:
/// refunds are started by the merchant, who already knows of them, no payout needs a follow-up call from this product, and
/// disputes are answered by people through other channels; so they are recorded, and that is all.
/// </summary>
public sealed class ConnectEventHandlers : IProcessingHandler<ConnectEventEnvelope>
{
    private readonly Dictionary<string, IConnectFamilyHandler> _byFamily;

    /// <summary>Creates the router over the registered family handlers.</summary>
    /// <exception cref="ArgumentException">Two handlers claim the same family.</exception>
    public ConnectEventHandlers(IEnumerable<IConnectFamilyHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        _byFamily = handlers.ToDictionary(h => h.Family, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public Task<string> HandleAsync(ConnectEventEnvelope evt, ProcessingDetail detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evt);
        return _byFamily.TryGetValue(evt.Family, out var handler)
            ? handler.HandleAsync(evt, detail, cancellationToken)
            : Task.FromResult(EventOutcomes.NoAction);
    }
}
