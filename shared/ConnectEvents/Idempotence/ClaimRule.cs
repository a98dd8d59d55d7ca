namespace ConnectEvents.Idempotence;

/// <summary>
/// What a claim does with the record it finds for its key: answer without writing (done, failed, held elsewhere, too
/// soon), or take the record over. The one statement of the rule, shared by every <see cref="IProcessedEventStore"/>;
/// the store only makes the take-over conditional on the record's ETag.
/// </summary>
public static class ClaimRule
{
    /// <summary>
    /// The answer a claim gives without writing, or null when <paramref name="owner"/> takes <paramref name="current"/> over:
    /// Processing with an expired or released lease or its own lease, DeadLettered (a replay or late delivery), or a final
    /// record of a recurring key that does not cover the delivery and whose next round may begin now.
    /// </summary>
    public static ClaimResult? Refusal(ProcessedEventRecord current, string owner, DateTimeOffset now, ClaimRecurrence? recurrence)
    {
        ArgumentNullException.ThrowIfNull(current);
        switch (current.State)
        {
            case ProcessingState.Completed or ProcessingState.Failed when recurrence is null || current.ClaimedAt >= recurrence.NotBefore:
                return new ClaimResult(current.State == ProcessingState.Completed ? ClaimStatus.AlreadyCompleted : ClaimStatus.AlreadyFailed, current);
            case ProcessingState.Completed or ProcessingState.Failed when current.ClaimedAt + recurrence.Spacing is { } next && next > now:
                return new ClaimResult(ClaimStatus.NotYet, current) { RetryAt = next };
            case ProcessingState.Processing when current.LeaseOwner != owner && current.LeaseExpiresAt > now:
                return new ClaimResult(ClaimStatus.InProgressElsewhere, current);
            default:
                return null;
        }
    }

    /// <summary>
    /// The record after <paramref name="owner"/> takes <paramref name="current"/> over: Processing under a new lease, one
    /// more attempt, the claim's facts filling what the record lacks. A new round of a recurring key keeps the last round's
    /// outcome and detail until it records its own.
    /// </summary>
    public static ProcessedEventRecord Takeover(ProcessedEventRecord current, string owner, DateTimeOffset now, TimeSpan lease, EventClaimInfo info)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(info);
        return current with
        {
            State = ProcessingState.Processing,
            LeaseOwner = owner,
            LeaseExpiresAt = now + lease,
            Attempts = current.Attempts + 1,
            EventType = current.EventType ?? info.EventType,
            MerchantId = current.MerchantId ?? info.MerchantId,
            PaymentId = current.PaymentId ?? info.PaymentId,
            FirstSeenAt = current.FirstSeenAt ?? now,
            CompletedAt = null,
            UpdatedAt = now,
            ClaimedAt = now,
            Body = current.Body ?? info.Body,
            RedriveCount = current.RedriveCount + (info.ArmsRedrive ? 1 : 0),
            TraceParents = ProcessedEventRecord.AppendTraceParent(current.TraceParents, info.TraceParent),
        };
    }

    /// <summary>The record a first claim inserts.</summary>
    public static ProcessedEventRecord Fresh(string key, string owner, DateTimeOffset now, TimeSpan lease, EventClaimInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new ProcessedEventRecord(key, ProcessingState.Processing, owner, now + lease, 1,
            info.EventType, info.MerchantId, info.PaymentId, null, null, now, null, default) { UpdatedAt = now, ClaimedAt = now, Body = info.Body, RedriveCount = info.ArmsRedrive ? 1 : 0,
            TraceParents = info.TraceParent };
    }
}
