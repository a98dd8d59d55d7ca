namespace ConnectEvents.Idempotence;

/// <summary>A reopen's status and the record as it is now.</summary>
public sealed record ReopenResult(ReopenStatus Status, ProcessedEventRecord? Record);
