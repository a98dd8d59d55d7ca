using ConnectEvents.Idempotence;

namespace ConnectEvents.CrashHarness;

/// <summary>
/// The registered <see cref="IProcessedEventStore"/> with crash points: before the claim, and before the outcome
/// (Completed or Failed) is written, when every action already happened.
/// </summary>
/// <param name="inner">The real store.</param>
/// <param name="crash">Decides whether to die.</param>
internal sealed class CrashingProcessedEventStore(IProcessedEventStore inner, CrashSwitch crash) : IProcessedEventStore
{
    /// <inheritdoc />
    public Task<ClaimResult> ClaimAsync(string eventId, string owner, TimeSpan lease, EventClaimInfo info, CancellationToken ct)
    {
        crash.MaybeKill(CrashPoint.BeforeClaim);
        return inner.ClaimAsync(eventId, owner, lease, info, ct);
    }

    /// <inheritdoc />
    public Task CompleteAsync(ProcessedEventRecord claimed, string outcome, string? detailJson, CancellationToken ct)
    {
        crash.MaybeKill(CrashPoint.BeforeOutcome);
        return inner.CompleteAsync(claimed, outcome, detailJson, ct);
    }

    /// <inheritdoc />
    public Task FailAsync(ProcessedEventRecord claimed, string reason, string? detailJson, CancellationToken ct)
    {
        crash.MaybeKill(CrashPoint.BeforeOutcome);
        return inner.FailAsync(claimed, reason, detailJson, ct);
    }

    /// <inheritdoc />
    public Task MarkDeadLetteredAsync(string eventId, string reason, CancellationToken ct) => inner.MarkDeadLetteredAsync(eventId, reason, ct);

    /// <inheritdoc />
    public Task ReleaseAsync(ProcessedEventRecord claimed, string? lastError, CancellationToken ct) => inner.ReleaseAsync(claimed, lastError, ct);

    /// <inheritdoc />
    public Task<ProcessedEventRecord?> GetAsync(string eventId, CancellationToken ct) => inner.GetAsync(eventId, ct);

    /// <inheritdoc />
    public Task<ReopenResult> ReopenAsync(string eventId, CancellationToken ct) => inner.ReopenAsync(eventId, ct);
}
