using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.CrashHarness;

/// <summary>The harness's own settings (section <c>Crash</c>): how often it kills itself and how it receives; checked at start.</summary>
internal sealed class HarnessOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Crash";

    /// <summary>The chance, at each crash point, that the process kills itself there (<c>Crash__Probability</c>); 0 turns crashes off.</summary>
    [Range(0.0, 1.0, ErrorMessage = "Crash__Probability must be between 0 and 1.")]
    public double Probability { get; set; }

    /// <summary>Kills only on this delivery of a message (<c>Crash__OnlyOnDelivery</c>, e.g. the last); 0: on any.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "Crash__OnlyOnDelivery must not be negative.")]
    public int OnlyOnDelivery { get; set; }

    /// <summary>Kills only at this crash point (<c>Crash__OnlyAt</c>, a <see cref="CrashPoint"/> name); unset: at any.</summary>
    public string? OnlyAt { get; set; }

    /// <summary>Seeds the crash decisions (<c>Crash__Seed</c>), so a run can be repeated; give each process start its own.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// How long a received message stays hidden (<c>Crash__VisibilityTimeout</c>), and so how soon a killed process's
    /// in-flight messages come back. The WebJobs listener hard-codes 10 minutes here, too long for a test.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many messages are processed at once (<c>Crash__Concurrency</c>).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Crash__Concurrency must be at least 1.")]
    public int Concurrency { get; set; } = 4;

    /// <summary>How long to wait before polling an empty queue again (<c>Crash__PollInterval</c>).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The time spans must be positive: a zero visibility or poll interval would spin.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (VisibilityTimeout <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Crash__VisibilityTimeout and Crash__PollInterval must be positive.", [nameof(VisibilityTimeout), nameof(PollInterval)]);
        }
    }
}
