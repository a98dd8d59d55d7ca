namespace ConnectEvents.Idempotence;

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

    /// <summary>
    /// This is an event's last delivery, with a successor armed should its process die: the claim counts it in
    /// <see cref="ProcessedEventRecord.RedriveCount"/>. Not stored.
    /// </summary>
    public bool ArmsRedrive { get; init; }

    /// <summary>The W3C <c>traceparent</c> of this attempt's span, appended to <see cref="ProcessedEventRecord.TraceParents"/>; null without tracing.</summary>
    public string? TraceParent { get; init; }
}
