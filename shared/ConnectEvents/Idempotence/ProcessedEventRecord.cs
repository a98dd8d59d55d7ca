using Azure;

namespace ConnectEvents.Idempotence;

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

    /// <summary>
    /// How many times an operator reopened the record for replay (<see cref="ReopenRule"/>): handlers fold it into the
    /// idempotence keys they send, so a replay after a fixed cause reaches Connect instead of its stored refusal.
    /// </summary>
    public int ReplayGeneration { get; init; }

    /// <summary>
    /// How many last deliveries of the event were claimed with a successor armed (<see cref="EventClaimInfo.ArmsRedrive"/>):
    /// each may re-drive the event once should its process die, so this bounds how often a crash restarts its budget.
    /// </summary>
    public int RedriveCount { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of each attempt's span, oldest first, space-separated (the last <see cref="MaxTraceParents"/>):
    /// how an operator finds the attempts in Application Insights or an OTLP backend, and what a duplicate's skip and a replay link to.
    /// </summary>
    public string? TraceParents { get; init; }

    /// <summary>The latest attempt's <c>traceparent</c>, or null.</summary>
    public string? LastTraceParent => TraceParents is { Length: > 0 } all ? all[(all.LastIndexOf(' ') + 1)..] : null;

    /// <summary>How many attempts' trace contexts a record keeps.</summary>
    public const int MaxTraceParents = 10;

    /// <summary><paramref name="traceParents"/> with <paramref name="next"/> appended, keeping the last <see cref="MaxTraceParents"/>.</summary>
    public static string? AppendTraceParent(string? traceParents, string? next)
    {
        if (string.IsNullOrEmpty(next))
        {
            return traceParents;
        }

        var all = string.IsNullOrEmpty(traceParents) ? [next] : traceParents.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append(next).ToArray();
        return string.Join(' ', all.Skip(Math.Max(0, all.Length - MaxTraceParents)));
    }

    /// <summary>The raw event as it was claimed (kept when at most <see cref="EventClaimInfo.MaxStoredBodyBytes"/>), so a Failed event can be replayed.</summary>
    public ReadOnlyMemory<byte>? Body { get; init; }
}
