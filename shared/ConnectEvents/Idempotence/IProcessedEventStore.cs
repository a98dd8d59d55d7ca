using Azure;
using ConnectEvents.Storage;

namespace ConnectEvents.Idempotence;

/// <summary>Where an event is in its processing life.</summary>
public enum ProcessingState
{
    /// <summary>Claimed by a processor under a lease (or released after a transient failure, lease ended).</summary>
    Processing,

    /// <summary>Done; <see cref="ProcessedEventRecord.Outcome"/> says what was done. Never processed again.</summary>
    Completed,

    /// <summary>Permanently failed (validation, declined, authorization…); the Connect errors are in the detail. Never retried.</summary>
    Failed,

    /// <summary>The last delivery was reached without an outcome (message poisoned or dead-lettered); a later delivery or replay may claim it again.</summary>
    DeadLettered,
}

/// <summary>The stored record of one event id.</summary>
/// <param name="EventId">The Connect event id (the original string; the row key is its escaped form).</param>
/// <param name="State">Where processing is.</param>
/// <param name="LeaseOwner">Who holds (or last held) the claim.</param>
/// <param name="LeaseExpiresAt">When the claim may be taken over; null once the record is final, or reopened (claimable at once).</param>
/// <param name="Attempts">How many times the event was claimed.</param>
/// <param name="EventType">The event type, e.g. <c>payment.pending_capture</c>.</param>
/// <param name="MerchantId">The event's merchant.</param>
/// <param name="PaymentId">The payment the event is about, when it is about one.</param>
/// <param name="Outcome">What was done (e.g. "captured", "tokenized", "no-action"), or the failure / dead-letter reason.</param>
/// <param name="DetailJson">JSON detail: actions with Connect ids, statuses before/after, timings, or the Connect errors.</param>
/// <param name="FirstSeenAt">When the event was first claimed (or dead-lettered, if it never was).</param>
/// <param name="CompletedAt">When the record became final (Completed, Failed or DeadLettered).</param>
/// <param name="ETag">The entity's ETag; Complete/Fail/Release are conditional on it.</param>
public sealed record ProcessedEventRecord(
    string EventId,
    ProcessingState State,
    string? LeaseOwner,
    DateTimeOffset? LeaseExpiresAt,
    int Attempts,
    string? EventType,
    string? MerchantId,
    string? PaymentId,
    string? Outcome,
    string? DetailJson,
    DateTimeOffset? FirstSeenAt,
    DateTimeOffset? CompletedAt,
    ETag ETag)
{
    /// <summary>The last transient error given to <see cref="IProcessedEventStore.ReleaseAsync"/>, kept for operators.</summary>
    public string? LastError { get; init; }

    /// <summary>When the record was last written.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>When the latest claim began: for a key that recurs (<see cref="ClaimRecurrence"/>), the start of its last round.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>The raw event as it was claimed (kept when at most <see cref="EventClaimInfo.MaxStoredBodyBytes"/>), so a Failed event can be replayed.</summary>
    public ReadOnlyMemory<byte>? Body { get; init; }
}

/// <summary>The answer to a claim.</summary>
public enum ClaimStatus
{
    /// <summary>The caller now holds the lease: the event was new, its lease had expired or been released, or the caller already held it.</summary>
    Claimed,

    /// <summary>The event was already completed; skip it.</summary>
    AlreadyCompleted,

    /// <summary>The event already failed permanently; skip it.</summary>
    AlreadyFailed,

    /// <summary>Another owner holds a live lease; retry later (it may crash).</summary>
    InProgressElsewhere,

    /// <summary>
    /// A key that recurs needs a new round, but its last round began less than <see cref="ClaimRecurrence.Spacing"/> ago:
    /// deliver again at <see cref="ClaimResult.RetryAt"/>.
    /// </summary>
    NotYet,
}

/// <summary>A claim's status and the record as it is now (the caller's own after <see cref="ClaimStatus.Claimed"/>).</summary>
public sealed record ClaimResult(ClaimStatus Status, ProcessedEventRecord? Record)
{
    /// <summary>With <see cref="ClaimStatus.NotYet"/>: when the next round may begin.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}

/// <summary>What the processor knows about an event when it claims it, stored for operators.</summary>
/// <param name="EventType">The event type.</param>
/// <param name="MerchantId">The event's merchant.</param>
/// <param name="PaymentId">The payment the event is about, when it is about one.</param>
/// <param name="Body">The raw event; stored only when at most <see cref="MaxStoredBodyBytes"/> (replay needs it), otherwise left out.</param>
public sealed record EventClaimInfo(string? EventType, string? MerchantId, string? PaymentId, ReadOnlyMemory<byte>? Body = null)
{
    /// <summary>The largest body kept in the record (a Table binary property holds 64 KiB; the detail JSON needs room too).</summary>
    public const int MaxStoredBodyBytes = 32 * 1024;

    /// <summary>How a final record answers this delivery when the key recurs; null (Connect's event ids): final for good. Not stored.</summary>
    public ClaimRecurrence? Recurrence { get; init; }
}

/// <summary>
/// A key that stands for something whose state changes over time (a v3 payment), not for one event: each delivery asks
/// for a round of work that looks at the state after the delivery arrived. A final record covers the delivery when its
/// last round began at or after <paramref name="NotBefore"/>; otherwise a new round begins on the same record, at most
/// one in flight (the lease) and no sooner than <paramref name="Spacing"/> after the last one began. One record per key,
/// whatever a sender posts.
/// </summary>
/// <param name="NotBefore">The earliest start of a round that covers this delivery (its arrival, plus a margin for clock skew).</param>
/// <param name="Spacing">The shortest time between the starts of two rounds.</param>
public sealed record ClaimRecurrence(DateTimeOffset NotBefore, TimeSpan Spacing);

/// <summary>The answer to <see cref="IProcessedEventStore.ReopenAsync"/>.</summary>
public enum ReopenStatus
{
    /// <summary>The Failed or DeadLettered record is claimable again (Processing, lease ended).</summary>
    Reopened,

    /// <summary>The record was already claimable (Processing with an ended lease); nothing was written.</summary>
    AlreadyClaimable,

    /// <summary>The record is Completed and is never reopened: its effects happened.</summary>
    Completed,

    /// <summary>A delivery holds a live lease on it; nothing was written.</summary>
    InProgress,

    /// <summary>No record of the event id.</summary>
    NotFound,
}

/// <summary>A reopen's status and the record as it is now.</summary>
public sealed record ReopenResult(ReopenStatus Status, ProcessedEventRecord? Record);

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

/// <summary>A status change was refused because another owner claimed the event since the caller did.</summary>
public sealed class LeaseLostException : Exception
{
    /// <summary>Creates the exception with no detail.</summary>
    public LeaseLostException() : base("The claim was taken over by another owner.") { }

    /// <summary>Creates the exception with a message.</summary>
    public LeaseLostException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LeaseLostException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>The event whose claim was lost, when known.</summary>
    public string? EventId { get; init; }

    internal static LeaseLostException For(string eventId, Exception? cause) =>
        new($"The claim on event '{eventId}' was taken over by another owner since it was claimed.", cause) { EventId = eventId };
}
