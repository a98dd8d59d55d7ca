namespace ConnectEvents.Idempotence;

/// <summary>A claim's status and the record as it is now (the caller's own after <see cref="ClaimStatus.Claimed"/>).</summary>
public sealed record ClaimResult(ClaimStatus Status, ProcessedEventRecord? Record)
{
    /// <summary>With <see cref="ClaimStatus.NotYet"/>: when the next round may begin.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}
