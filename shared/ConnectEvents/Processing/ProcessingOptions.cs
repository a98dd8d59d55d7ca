using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.Processing;

/// <summary>What the processor does with each event type (configuration section <c>Processing</c>); checked at start-up.</summary>
public sealed class ProcessingOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Processing";

    /// <summary>Capture payments that are PENDING_CAPTURE and authorized (<c>Processing__AutoCapture</c>).</summary>
    public bool AutoCapture { get; set; } = true;

    /// <summary>Tokenization policy.</summary>
    public TokenizeOptions Tokenize { get; set; } = new();

    /// <summary>
    /// How long one delivery may hold an event before another delivery may take it over; derived from host.json's
    /// functionTimeout (plus 30 s) unless set, and always longer than it.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5.5);

    /// <summary>How long one invocation may run (host.json <c>functionTimeout</c>); read from the host's configuration, not a setting of its own.</summary>
    public TimeSpan FunctionTimeout { get; internal set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The queue trigger's maxDequeueCount: the last delivery marks the record poisoned. Taken from host.json
    /// (<c>extensions.queues.maxDequeueCount</c>, overridable as <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c>)
    /// whenever the host configuration is loaded, so the two cannot disagree.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "host.json extensions.queues.maxDequeueCount must be at least 1.")]
    public int MaxDequeueCount { get; internal set; } = 5;

    /// <summary>
    /// How long the queue trigger waits before delivering a failed message again (host.json
    /// <c>extensions.queues.visibilityTimeout</c>); a copy of an event another delivery is still processing comes back after
    /// this long (or when that delivery's lease can have run out, if sooner). Read from the host's configuration, not a setting of its own.
    /// </summary>
    public TimeSpan RedeliveryDelay { get; internal set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times an event whose last delivery died with its process (a kill, a crash, a recycled instance) is
    /// delivered again with a fresh budget, instead of waiting in the poison queue for an operator (<c>Processing__MaxRedrives</c>);
    /// 0 turns this off.
    /// </summary>
    [Range(0, 100, ErrorMessage = "Processing__MaxRedrives must be between 0 and 100.")]
    public int MaxRedrives { get; set; } = 3;

    /// <summary>The rule between settings: the lease outlives the longest invocation.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseDuration <= FunctionTimeout)
        {
            yield return new ValidationResult(
                "Processing__LeaseDuration must be longer than host.json functionTimeout: an invocation still running must never lose its claim to another delivery (leave Processing__LeaseDuration unset to derive it).",
                [nameof(LeaseDuration)]);
        }
    }
}
