namespace ConnectEvents.Idempotence;

/// <summary>The answer to <see cref="IProcessedEventStore.ReopenAsync"/>.</summary>
public enum ReopenStatus
{
    /// <summary>The Failed or DeadLettered record is claimable again (Processing, lease ended).</summary>
    Reopened,

    /// <summary>The record was already claimable (Processing with an ended lease); nothing was written.</summary>
    AlreadyClaimable,

    /// <summary>The record is Completed and is never reopened: its effects happened.</summary>
    Completed,

    /// <summary>A delivery holds a live lease on it; nothing was written.</summary>
    InProgress,

    /// <summary>No record of the event id.</summary>
    NotFound,
}
