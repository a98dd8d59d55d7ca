namespace ConnectEvents.Idempotence;

/// <summary>
/// What replaying a record does with it: refuse (none, Completed, in progress, already claimable) or reopen a Failed or
/// DeadLettered one. The one statement of the rule, for the store's conditional write and for a dry run that writes nothing.
/// </summary>
public static class ReopenRule
{
    /// <summary>The answer without a write, or null when <paramref name="current"/> is reopened.</summary>
    public static ReopenResult? Refusal(ProcessedEventRecord? current, DateTimeOffset now) => current switch
    {
        null => new ReopenResult(ReopenStatus.NotFound, null),
        { State: ProcessingState.Completed } => new ReopenResult(ReopenStatus.Completed, current),
        { State: ProcessingState.Processing } => new ReopenResult(current.LeaseExpiresAt > now ? ReopenStatus.InProgress : ReopenStatus.AlreadyClaimable, current),
        _ => null,
    };

    /// <summary>
    /// The reopened record: Processing with no lease at all (not one ending "now": a reader that sampled its clock a moment
    /// earlier would see it live), so the next claim takes it over at once; attempts kept, one more replay generation (the
    /// replay's calls get idempotence keys of their own).
    /// </summary>
    public static ProcessedEventRecord Reopened(ProcessedEventRecord current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current with
        {
            State = ProcessingState.Processing,
            LeaseExpiresAt = null,
            Outcome = null,
            CompletedAt = null,
            UpdatedAt = now,
            ReplayGeneration = current.ReplayGeneration + 1,
        };
    }
}
