using System.Diagnostics;
using OpenTelemetry.Trace;

namespace ConnectEvents.Diagnostics;

/// <summary>
/// Samples event traces, parent-based at <see cref="TracingOptions.SamplingRatio"/>, and drops the Azure SDK's spans that
/// start a trace of their own: the queue listener's polls, lease renewals and the like, one trace each, many a minute,
/// none of them an event's. The SDK's spans under one of ours (a claim's Tables call, a send) are kept with their trace.
/// </summary>
/// <param name="ratio">The share of new traces kept.</param>
public sealed class EventTraceSampler(double ratio) : Sampler
{
    private readonly Sampler _inner = new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio));

    /// <inheritdoc />
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (samplingParameters.ParentContext == default && IsAzureSdk(samplingParameters.Tags))
        {
            return new SamplingResult(SamplingDecision.Drop);
        }

        return _inner.ShouldSample(samplingParameters);
    }

    // Azure.Core puts az.namespace on every span it starts, before the sampler is asked.
    private static bool IsAzureSdk(IEnumerable<KeyValuePair<string, object?>>? tags)
    {
        if (tags is null)
        {
            return false;
        }

        foreach (var tag in tags)
        {
            if (tag.Key == "az.namespace")
            {
                return true;
            }
        }

        return false;
    }
}
