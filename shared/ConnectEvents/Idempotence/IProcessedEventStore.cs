using ConnectEvents.Storage;

namespace ConnectEvents.Idempotence;

/// <summary>
/// Per-event-id idempotence: claim with a lease (insert-first), then complete, fail or release, all ETag-conditional.
/// Storage outages surface as <see cref="StoreUnavailableException"/> (transient: let the trigger retry).
/// </summary>
public interface IProcessedEventStore
{
    /// <summary>
    /// Claims <paramref name="eventId"/> for <paramref name="owner"/> for <paramref name="lease"/>: inserts a new record, or takes
    /// over one that is Processing with an expired/released lease (or held by the same owner) or DeadLettered, or a final one
    /// that does not cover the delivery (<see cref="EventClaimInfo.Recurrence"/>); every claim adds one attempt.
    /// </summary>
    /// <exception cref="ArgumentException">The event id or owner is empty, or the lease is not positive.</exception>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task<ClaimResult> ClaimAsync(string eventId, string owner, TimeSpan lease, EventClaimInfo info, CancellationToken ct);

    /// <summary>Records the outcome; the record becomes Completed. Conditional on the claimed ETag.</summary>
    /// <exception cref="LeaseLostException">Someone else took the claim over (or the record vanished) since it was claimed.</exception>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task CompleteAsync(ProcessedEventRecord claimed, string outcome, string? detailJson, CancellationToken ct);

    /// <summary>Records a permanent failure (<paramref name="reason"/> becomes the outcome, the Connect errors go in the detail). Conditional on the claimed ETag.</summary>
    /// <exception cref="LeaseLostException">Someone else took the claim over since it was claimed.</exception>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task FailAsync(ProcessedEventRecord claimed, string reason, string? detailJson, CancellationToken ct);

    /// <summary>
    /// Records that the last delivery was reached without an outcome (poisoned / dead-lettered). Creates the record if there is none;
    /// leaves a Completed or Failed record as it is (a real outcome wins).
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task MarkDeadLetteredAsync(string eventId, string reason, CancellationToken ct);

    /// <summary>
    /// Ends the caller's lease now after a transient failure so the next delivery can claim at once; keeps attempts and stores
    /// <paramref name="lastError"/>. Does nothing if the lease was already lost (someone else's claim stands).
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task ReleaseAsync(ProcessedEventRecord claimed, string? lastError, CancellationToken ct);

    /// <summary>
    /// Turns a Failed or DeadLettered record back into a claimable one (Processing, no lease, attempts kept, the old outcome
    /// kept in <see cref="ProcessedEventRecord.LastError"/>), ETag-conditional, so that a replayed delivery goes through the
    /// same claim. A Completed record is never reopened.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task<ReopenResult> ReopenAsync(string eventId, CancellationToken ct);

    /// <summary>Reads the record of an event id, or null.</summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task<ProcessedEventRecord?> GetAsync(string eventId, CancellationToken ct);
}
