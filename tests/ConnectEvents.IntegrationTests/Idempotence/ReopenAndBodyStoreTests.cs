using Azure.Data.Tables;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Idempotence;

/// <summary>The store's additions for replay on Azurite: the conditional reopen and the kept event bytes.</summary>
public sealed class ReopenAndBodyStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly EventClaimInfo Info = new("payment.pending_capture", "1234", "pay-1");

    [Fact]
    public async Task AFailedRecordIsReopenedAndTheNextClaimTakesIt()
    {
        var store = NewStore();
        var claim = await store.ClaimAsync("evt-1", "a", Lease, Info, CancellationToken.None);
        await store.FailAsync(claim.Record!, "declined", "{\"errorId\":\"e-1\"}", CancellationToken.None);

        var reopened = await store.ReopenAsync("evt-1", CancellationToken.None);
        var again = await store.ClaimAsync("evt-1", "b", Lease, Info, CancellationToken.None);

        Assert.Equal(ReopenStatus.Reopened, reopened.Status);
        Assert.Equal(ProcessingState.Processing, reopened.Record!.State);
        Assert.Contains("was Failed: declined", reopened.Record.LastError, StringComparison.Ordinal);
        Assert.Null(reopened.Record.LeaseExpiresAt);
        Assert.Equal(ClaimStatus.Claimed, again.Status);
        Assert.Equal(2, again.Record!.Attempts);
    }

    [Fact]
    public async Task ADeadLetteredRecordIsReopenedButACompletedOneNever()
    {
        var store = NewStore();
        await store.MarkDeadLetteredAsync("evt-dl", "poisoned", CancellationToken.None);
        var claim = await store.ClaimAsync("evt-done", "a", Lease, Info, CancellationToken.None);
        await store.CompleteAsync(claim.Record!, "captured", null, CancellationToken.None);
        var before = await store.GetAsync("evt-done", CancellationToken.None);

        Assert.Equal(ReopenStatus.Reopened, (await store.ReopenAsync("evt-dl", CancellationToken.None)).Status);
        Assert.Equal(ReopenStatus.Completed, (await store.ReopenAsync("evt-done", CancellationToken.None)).Status);
        Assert.Equal(before!.ETag, (await store.GetAsync("evt-done", CancellationToken.None))!.ETag);
        Assert.Equal(ClaimStatus.AlreadyCompleted, (await store.ClaimAsync("evt-done", "b", Lease, Info, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task ALiveLeaseIsNotReopenedAndAnUnknownIdIsNotFound()
    {
        var store = NewStore();
        await store.ClaimAsync("evt-live", "a", Lease, Info, CancellationToken.None);

        Assert.Equal(ReopenStatus.InProgress, (await store.ReopenAsync("evt-live", CancellationToken.None)).Status);
        Assert.Equal(ReopenStatus.NotFound, (await store.ReopenAsync("evt-none", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task AReopenThatLosesTheRaceToAnotherWriterDecidesAgainOnWhatIsThere()
    {
        var store = NewStore();
        var claim = await store.ClaimAsync("evt-race", "a", Lease, Info, CancellationToken.None);
        await store.FailAsync(claim.Record!, "declined", null, CancellationToken.None);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.ReopenAsync("evt-race", CancellationToken.None)));

        Assert.Single(results, r => r.Status == ReopenStatus.Reopened);
        Assert.All(results, r => Assert.Contains(r.Status, new[] { ReopenStatus.Reopened, ReopenStatus.AlreadyClaimable }));
    }

    [Fact]
    public async Task TheClaimedBodyIsKeptUpTo32KiBAndSurvivesTakeoverAndOutcome()
    {
        var store = NewStore();
        var body = new byte[EventClaimInfo.MaxStoredBodyBytes];
        Random.Shared.NextBytes(body);
        var claim = await store.ClaimAsync("evt-body", "a", Lease, Info with { Body = body }, CancellationToken.None);
        await store.ReleaseAsync(claim.Record!, null, CancellationToken.None);
        var takeover = await store.ClaimAsync("evt-body", "b", Lease, Info, CancellationToken.None);
        await store.FailAsync(takeover.Record!, "declined", null, CancellationToken.None);
        await store.ClaimAsync("evt-big", "a", Lease, Info with { Body = new byte[EventClaimInfo.MaxStoredBodyBytes + 1] }, CancellationToken.None);

        Assert.Equal(body, (await store.GetAsync("evt-body", CancellationToken.None))!.Body!.Value.ToArray());
        Assert.Null((await store.GetAsync("evt-big", CancellationToken.None))!.Body);
    }

    [Fact]
    public async Task TheOperatorQueryFiltersByStatePaymentAndTime()
    {
        var store = NewStore();
        var a = await store.ClaimAsync("evt-q1", "a", Lease, Info, CancellationToken.None);
        await store.FailAsync(a.Record!, "declined", null, CancellationToken.None);
        await store.ClaimAsync("evt-q2", "a", Lease, Info with { PaymentId = "pay-2" }, CancellationToken.None);

        Assert.Equal("evt-q1", Assert.Single(await store.QueryAsync(ProcessingState.Failed, null, null, CancellationToken.None)).EventId);
        Assert.Equal("evt-q2", Assert.Single(await store.QueryAsync(null, "pay-2", null, CancellationToken.None)).EventId);
        Assert.Empty(await store.QueryAsync(null, null, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None));
        Assert.Equal(2, (await store.QueryAsync(null, null, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None)).Count);
    }

    private TableProcessedEventStore NewStore() =>
        new(new TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("reopen")), TimeProvider.System);
}
