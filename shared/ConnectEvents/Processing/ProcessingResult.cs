namespace ConnectEvents.Processing;

/// <summary>The result of one delivery.</summary>
/// <param name="Disposition">What the trigger should do.</param>
/// <param name="Summary">One line for the host's log.</param>
/// <param name="EventId">The event id, when the message had one.</param>
/// <param name="Outcome">The recorded outcome (captured, no-action, connect-validation, quarantined, …), for metrics; null when nothing was recorded.</param>
/// <param name="EventType">The event type the claim named (<c>payment.pending_capture</c>, <c>v3.notification</c>), for the metric's family; null when unreadable.</param>
public sealed record ProcessingResult(ProcessingDisposition Disposition, string Summary, string? EventId, string? Outcome = null, string? EventType = null)
{
    /// <summary>True when the message is done with (the invocation answers 2xx).</summary>
    public bool IsSuccess => Disposition is ProcessingDisposition.Completed or ProcessingDisposition.Skipped or ProcessingDisposition.Deferred or ProcessingDisposition.Failed;
}
