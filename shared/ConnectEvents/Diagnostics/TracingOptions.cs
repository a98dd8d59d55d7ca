using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.Diagnostics;

/// <summary>Tracing settings (section <c>Tracing</c>): whether spans are recorded at all, and what share of traces is kept.</summary>
public sealed class TracingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Tracing";

    /// <summary><c>Tracing__Enabled</c>: false records no spans even with an exporter configured (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <c>Tracing__AzureSdk</c>: false leaves out the Azure SDK's spans (Storage, Tables, Service Bus, Key Vault calls) and
    /// the work the SDK does to make them; our spans still show each step (default true).
    /// </summary>
    public bool AzureSdk { get; set; } = true;

    /// <summary>
    /// <c>Tracing__SamplingRatio</c>: the share of new traces kept, 0 to 1 (default 1: every event). A trace that continues
    /// a sampled parent (the webhook's, the Functions host's) is kept with it, so an event's trace is whole or absent.
    /// </summary>
    [Range(0.0, 1.0, ErrorMessage = "Tracing__SamplingRatio must be between 0 and 1.")]
    public double SamplingRatio { get; set; } = 1.0;
}
