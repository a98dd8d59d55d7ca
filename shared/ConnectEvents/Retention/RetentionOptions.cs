using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.Retention;

/// <summary>
/// How long processed-event records, their stored bodies and quarantine entries are kept (configuration section
/// <c>Processing:Retention</c>); checked at start-up. Ages count from a record's last write.
/// </summary>
public sealed class RetentionOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Processing:Retention";

    /// <summary>How long a Completed record is kept (<c>Processing__Retention__Completed</c>).</summary>
    public TimeSpan Completed { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a Completed record keeps the event's bytes; only Failed events are replayed, so these may go sooner.</summary>
    public TimeSpan CompletedBody { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a Failed or DeadLettered record (with its body, for replay) is kept.</summary>
    public TimeSpan Failed { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a quarantine entry is kept, counted from the day it was received.</summary>
    public TimeSpan Quarantine { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long after its last write a copy of an event may still arrive from Worldline (its retries of a delivery it
    /// thinks failed). No record is deleted sooner, as its record is what makes a late copy a duplicate.
    /// </summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most rows and blobs one run deletes or trims; the next run carries on where it stopped.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Processing__Retention__MaxPerRun must be between 1 and 1,000,000.")]
    public int MaxPerRun { get; set; } = 20_000;

    /// <summary>Every period is positive, and no record outlives only its body's period while duplicates can still come.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in Periods())
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"Processing__Retention__{name} must be positive (it is {value}).", [name]);
            }
        }

        foreach (var (name, value) in new[] { (nameof(Completed), Completed), (nameof(Failed), Failed) })
        {
            if (value < DuplicateWindow)
            {
                yield return new ValidationResult(
                    $"Processing__Retention__{name} ({value}) must be at least Processing__Retention__DuplicateWindow ({DuplicateWindow}): a record deleted sooner would let a late copy of its event from Worldline be processed again.",
                    [name]);
            }
        }
    }

    private (string, TimeSpan)[] Periods() =>
        [(nameof(Completed), Completed), (nameof(CompletedBody), CompletedBody), (nameof(Failed), Failed), (nameof(Quarantine), Quarantine), (nameof(DuplicateWindow), DuplicateWindow)];
}
