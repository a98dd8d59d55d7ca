using ConnectEvents.Events;

namespace ConnectEvents.Processing.Handlers;

/// <summary>
/// A family this product records but does not act on: the event's id is claimed and completed as
/// <see cref="EventOutcomes.NoAction"/>, so operators see it arrived, and nothing is called at Connect.
/// </summary>
/// <param name="family">The event family.</param>
public abstract class RecordedOnlyHandler(string family) : IConnectFamilyHandler
{
    /// <inheritdoc />
    public string Family { get; } = family;

    /// <inheritdoc />
    public Task<string> HandleAsync(ConnectEventEnvelope evt, ProcessingDetail detail, CancellationToken cancellationToken) =>
        Task.FromResult(EventOutcomes.NoAction);
}

/// <summary>refund.* events are recorded, not acted on: refunds are started by the merchant, who already knows of them.</summary>
public sealed class RefundHandler() : RecordedOnlyHandler("refund");

/// <summary>payout.* events are recorded, not acted on: no payout needs a follow-up call from this product.</summary>
public sealed class PayoutHandler() : RecordedOnlyHandler("payout");

/// <summary>dispute.* events are recorded, not acted on: disputes are answered by people, through other channels.</summary>
public sealed class DisputeHandler() : RecordedOnlyHandler("dispute");
