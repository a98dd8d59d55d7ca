namespace ConnectEvents.Processing;

/// <summary>How a delivery ended, which decides what the trigger does with the message.</summary>
public enum ProcessingDisposition
{
    /// <summary>Acted (or decided no action was needed) and recorded it: complete the message.</summary>
    Completed,

    /// <summary>Already handled by an earlier delivery: complete the message.</summary>
    Skipped,

    /// <summary>Held by another delivery, or its key's next round may not begin yet: a copy was queued to come back later; complete this message.</summary>
    Deferred,

    /// <summary>Refused for good (Connect validation, declined, authorization, reference; an inquiry refused): recorded as Failed, complete the message.</summary>
    Failed,

    /// <summary>A transient failure: fail the invocation so the trigger delivers it again later.</summary>
    Retry,

    /// <summary>A transient failure on the last delivery: recorded as dead-lettered; fail the invocation so the trigger moves it aside.</summary>
    DeadLettered,
}
