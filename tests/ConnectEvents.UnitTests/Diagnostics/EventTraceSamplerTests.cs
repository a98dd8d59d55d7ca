using System.Diagnostics;
using ConnectEvents.Diagnostics;
using OpenTelemetry.Trace;

namespace ConnectEvents.UnitTests.Diagnostics;

/// <summary>What the sampler keeps: event traces at the ratio, never an Azure SDK span that would start a trace of its own.</summary>
public sealed class EventTraceSamplerTests
{
    private static readonly KeyValuePair<string, object?>[] AzureTags = [new("az.namespace", "Microsoft.Storage")];

    [Fact]
    public void AnAzureSdkSpanWithoutAParentIsDropped() =>
        Assert.Equal(SamplingDecision.Drop, Decide(new EventTraceSampler(1.0), default, "QueueClient.ReceiveMessages", AzureTags));

    [Fact]
    public void AnAzureSdkSpanUnderOneOfOursIsKeptWithItsTrace()
    {
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        Assert.Equal(SamplingDecision.RecordAndSample, Decide(new EventTraceSampler(1.0), parent, "TableClient.AddEntity", AzureTags));
    }

    [Fact]
    public void OurRootSpansFollowTheRatioAndAChildFollowsItsParent()
    {
        var unsampled = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);

        Assert.Equal(SamplingDecision.RecordAndSample, Decide(new EventTraceSampler(1.0), default, "process connect-events", null));
        Assert.Equal(SamplingDecision.Drop, Decide(new EventTraceSampler(0.0), default, "process connect-events", null));
        Assert.Equal(SamplingDecision.Drop, Decide(new EventTraceSampler(1.0), unsampled, "claim", null));
    }

    private static SamplingDecision Decide(Sampler sampler, ActivityContext parent, string name, IEnumerable<KeyValuePair<string, object?>>? tags) =>
        sampler.ShouldSample(new SamplingParameters(parent, ActivityTraceId.CreateRandom(), name, ActivityKind.Internal, tags)).Decision;
}
