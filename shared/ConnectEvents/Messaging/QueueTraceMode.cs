namespace ConnectEvents.Messaging;

/// <summary>How a queued message's processing relates to the trace of its sender.</summary>
public enum QueueTraceMode
{
    /// <summary>The processing is part of the sender's trace (the webhook's event, a v3 notification).</summary>
    Continue,

    /// <summary>The processing starts a trace of its own, linked to the original (a deferred copy, a re-driven successor, a replay).</summary>
    Link,
}
