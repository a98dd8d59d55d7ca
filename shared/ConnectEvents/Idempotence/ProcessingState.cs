namespace ConnectEvents.Idempotence;

/// <summary>Where an event is in its processing life.</summary>
public enum ProcessingState
{
    /// <summary>Claimed by a processor under a lease (or released after a transient failure, lease ended).</summary>
    Processing,

    /// <summary>Done; <see cref="ProcessedEventRecord.Outcome"/> says what was done. Never processed again.</summary>
    Completed,

    /// <summary>Permanently failed (validation, declined, authorization…); the Connect errors are in the detail. Never retried.</summary>
    Failed,

    /// <summary>The last delivery was reached without an outcome (message poisoned or dead-lettered); a later delivery or replay may claim it again.</summary>
    DeadLettered,
}
