namespace ConnectEvents.Idempotence;

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
