using ConnectEvents.Idempotence;

namespace ConnectEvents.UnitTests.Idempotence;

/// <summary>The trace contexts a record keeps, one per attempt: appended by each claim, the oldest dropped past the cap.</summary>
public sealed class ProcessedEventRecordTests
{
    private static string TraceParent(int i) => $"00-{i:D32}-{i:D16}-01";

    [Fact]
    public void EachClaimAppendsItsAttemptsTraceParentAndTheLastIsTheLatest()
    {
        var now = DateTimeOffset.UtcNow;
        var fresh = ClaimRule.Fresh("evt-1", "owner-1", now, TimeSpan.FromMinutes(5), new EventClaimInfo("payment.paid", "1234", "pay-1") { TraceParent = TraceParent(1) });
        var second = ClaimRule.Takeover(fresh with { LeaseExpiresAt = now }, "owner-2", now, TimeSpan.FromMinutes(5), new EventClaimInfo("payment.paid", "1234", "pay-1") { TraceParent = TraceParent(2) });
        var untraced = ClaimRule.Takeover(second, "owner-3", now, TimeSpan.FromMinutes(5), new EventClaimInfo("payment.paid", "1234", "pay-1"));

        Assert.Equal(TraceParent(1), fresh.TraceParents);
        Assert.Equal($"{TraceParent(1)} {TraceParent(2)}", second.TraceParents);
        Assert.Equal(TraceParent(2), second.LastTraceParent);
        Assert.Equal(second.TraceParents, untraced.TraceParents); // an attempt without tracing adds nothing
    }

    [Fact]
    public void OnlyTheLastAttemptsTraceParentsAreKept()
    {
        string? all = null;
        for (var i = 1; i <= ProcessedEventRecord.MaxTraceParents + 3; i++)
        {
            all = ProcessedEventRecord.AppendTraceParent(all, TraceParent(i));
        }

        var kept = all!.Split(' ');
        Assert.Equal(ProcessedEventRecord.MaxTraceParents, kept.Length);
        Assert.Equal(TraceParent(4), kept[0]);
        Assert.Equal(TraceParent(ProcessedEventRecord.MaxTraceParents + 3), kept[^1]);
    }
}
