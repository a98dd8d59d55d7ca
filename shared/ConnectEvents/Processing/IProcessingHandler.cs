using ConnectEvents.Failures;

namespace ConnectEvents.Processing;

/// <summary>Acts on one event of some platform; runs inside a claim and knows nothing of claims, leases or deliveries.</summary>
/// <typeparam name="TEvent">What the handler reads (for Connect, the event's envelope; for v3, the notification).</typeparam>
public interface IProcessingHandler<in TEvent>
{
    /// <summary>
    /// Does what the event asks for and returns the outcome stored on the record (<c>captured</c>, <c>no-action</c>,
    /// <c>success 000.000.000</c>, …; its first word is the metric's outcome), writing what it did into
    /// <paramref name="detail"/> as it goes (kept on a Failed record too). A throw is classified by
    /// <see cref="FailureClassifier"/>: permanent failures are recorded, the rest come back on another delivery.
    /// </summary>
    Task<string> HandleAsync(TEvent evt, ProcessingDetail detail, CancellationToken cancellationToken);
}
