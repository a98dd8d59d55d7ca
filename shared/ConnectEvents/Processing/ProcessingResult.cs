namespace ConnectEvents.Processing;

/// <summary>How a delivery ended, which decides what the trigger does with the message.</summary>
public enum ProcessingDisposition
{
    /// <summary>Acted (or decided no action was needed) and recorded it: complete the message.</summary>
    Completed,

    /// <summary>Already handled by an earlier delivery: complete the message.</summary>
    Skipped,

    /// <summary>Another delivery holds the event's lease: a copy was queued to come back once that lease can have expired; complete this message.</summary>
    Deferred,

    /// <summary>Refused for good (Connect validation, declined, authorization, reference): recorded as Failed, complete the message.</summary>
    Failed,

    /// <summary>A transient failure: fail the invocation so the trigger delivers it again later.</summary>
    Retry,

    /// <summary>A transient failure on the last delivery: recorded as dead-lettered; fail the invocation so the trigger moves it aside.</summary>
    DeadLettered,
}

/// <summary>The result of one delivery.</summary>
/// <param name="Disposition">What the trigger should do.</param>
/// <param name="Summary">One line for the host's log.</param>
/// <param name="EventId">The event id, when the body had one.</param>
/// <param name="Outcome">The recorded outcome (captured, no-action, connect-validation, quarantined, …), for metrics; null when nothing was recorded.</param>
public sealed record ProcessingResult(ProcessingDisposition Disposition, string Summary, string? EventId, string? Outcome = null)
{
    /// <summary>True when the message is done with (the invocation answers 2xx).</summary>
    public bool IsSuccess => Disposition is ProcessingDisposition.Completed or ProcessingDisposition.Skipped or ProcessingDisposition.Deferred or ProcessingDisposition.Failed;
}
