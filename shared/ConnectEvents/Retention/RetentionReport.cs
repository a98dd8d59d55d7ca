namespace ConnectEvents.Retention;

/// <summary>What one retention run did.</summary>
/// <param name="RecordsDeleted">Processed-event records deleted.</param>
/// <param name="BodiesDropped">Completed records whose stored event bytes were removed.</param>
/// <param name="QuarantineDeleted">Quarantine entries deleted.</param>
/// <param name="Skipped">Rows or blobs changed or deleted by someone else meanwhile (ETag mismatch or gone), left alone.</param>
/// <param name="Complete">False when the run stopped at <see cref="RetentionOptions.MaxPerRun"/> with more left for the next run.</param>
public sealed record RetentionReport(int RecordsDeleted, int BodiesDropped, int QuarantineDeleted, int Skipped, bool Complete)
{
    /// <summary>Index rows deleted: those of the deleted records, and failed-index rows of days past the Failed period.</summary>
    public int IndexRowsDeleted { get; init; }
}
