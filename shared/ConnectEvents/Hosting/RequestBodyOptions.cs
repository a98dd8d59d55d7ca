using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.Hosting;

/// <summary>Settings of the process-wide budget for buffered request bodies (configuration section <c>RequestBodies</c>).</summary>
public sealed class RequestBodyOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "RequestBodies";

    /// <summary>
    /// The share of the heap limit (<c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c>) that bodies being buffered may
    /// declare together, when <see cref="BudgetBytes"/> is 0. Default 0.25: a body's buffer grows by doubling and the pool
    /// keeps some returned buffers, so the bytes held can reach about twice the bytes declared.
    /// </summary>
    public double BudgetFraction { get; set; } = 0.25;

    /// <summary>An explicit budget in bytes, instead of <see cref="BudgetFraction"/> of the heap; 0 (default) to size it from the heap.</summary>
    public long BudgetBytes { get; set; }

    /// <summary>Bodies declaring at most this many bytes (64 KiB; a Connect event is a few KB) may use the reserve that larger ones cannot.</summary>
    public int SmallBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The part of the budget only small bodies may use (default 8 MiB, at most half the budget), so webhooks get through while large uploads wait.</summary>
    public long SmallBodyReserveBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Seconds a caller refused for lack of budget is told to wait (Retry-After). Default 2.</summary>
    public int RetryAfterSeconds { get; set; } = 2;

    /// <summary>Checks every setting at start-up, naming the one to fix.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BudgetFraction is <= 0 or > 0.9 || double.IsNaN(BudgetFraction))
        {
            yield return new ValidationResult("RequestBodies__BudgetFraction must be above 0 and at most 0.9 (a share of the heap limit).");
        }

        if (BudgetBytes is < 0 or (> 0 and < 64 * 1024))
        {
            yield return new ValidationResult("RequestBodies__BudgetBytes must be 0 (sized from the heap) or at least 65536.");
        }

        if (SmallBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            yield return new ValidationResult("RequestBodies__SmallBodyBytes must be between 1024 and 16777216.");
        }

        if (SmallBodyReserveBytes < 0)
        {
            yield return new ValidationResult("RequestBodies__SmallBodyReserveBytes must not be negative.");
        }

        if (RetryAfterSeconds is < 1 or > 3600)
        {
            yield return new ValidationResult("RequestBodies__RetryAfterSeconds must be between 1 and 3600.");
        }
    }
}
