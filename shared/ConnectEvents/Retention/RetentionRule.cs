using ConnectEvents.Idempotence;

namespace ConnectEvents.Retention;

/// <summary>What retention does with one processed-event record at one moment: the rules, without storage.</summary>
/// <param name="Options">The periods.</param>
/// <param name="Now">The moment of the run.</param>
public sealed record RetentionRule(RetentionOptions Options, DateTimeOffset Now)
{
    /// <summary>
    /// Records last written before this are the only ones any rule can touch, so a run reads only those (the shortest
    /// period is the Completed body's).
    /// </summary>
    public DateTimeOffset OldestUntouched => Now - Shortest(Options.CompletedBody, Options.Completed, Options.Failed);

    /// <summary>
    /// The action for <paramref name="record"/>: a record in Processing is never touched (a delivery may hold it, or come
    /// back to it); a final one goes after its state's period, and never within the duplicate window; a Completed one
    /// loses its body after the body period.
    /// </summary>
    public RetentionAction Decide(ProcessedEventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.State == ProcessingState.Processing || LastWrite(record) is not { } written)
        {
            return RetentionAction.Keep;
        }

        var age = Now - written;
        var period = record.State == ProcessingState.Completed ? Options.Completed : Options.Failed;
        if (age >= period && age >= Options.DuplicateWindow)
        {
            return RetentionAction.Delete;
        }

        return record.State == ProcessingState.Completed && record.Body is { Length: > 0 } && age >= Options.CompletedBody
            ? RetentionAction.DropBody
            : RetentionAction.Keep;
    }

    /// <summary>Whether the quarantine entries of a UTC day (<paramref name="day"/>, received that day) have all outlived their period.</summary>
    public bool QuarantineDayExpired(DateOnly day) =>
        new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) <= Now - Options.Quarantine;

    // The latest of the record's times: a record someone wrote to recently (a reopen, a late outcome) is young again.
    private static DateTimeOffset? LastWrite(ProcessedEventRecord record) =>
        new[] { record.UpdatedAt, record.CompletedAt, record.FirstSeenAt, record.ClaimedAt }.Max();

    private static TimeSpan Shortest(params TimeSpan[] periods) => periods.Min();
}
