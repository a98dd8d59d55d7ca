using Azure.Data.Tables;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.IntegrationTests.Idempotence;

public sealed class ProcessedEventStoreTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly EventClaimInfo Info = new("payment.pending_capture", "1234", "pay-1");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private (TableProcessedEventStore Store, TableClient Table) NewStore()
    {
        var table = new TableClient(fixture.ConnectionString, AzuriteFixture.UniqueName("events"));
        return (new TableProcessedEventStore(table, _time), table);
    }

    private static string NewId() => Guid.NewGuid().ToString();

    [Fact]
    public async Task ClaimingANewEventClaimsItAndStoresTheClaim()
    {
        var (store, _) = NewStore();
        var id = NewId();

        var claim = await store.ClaimAsync(id, "worker-a", Lease, Info, default);

        Assert.Equal(ClaimStatus.Claimed, claim.Status);
        var stored = await store.GetAsync(id, default);
        Assert.NotNull(stored);
        Assert.Equal(ProcessingState.Processing, stored.State);
        Assert.Equal("worker-a", stored.LeaseOwner);
        Assert.Equal(_time.GetUtcNow() + Lease, stored.LeaseExpiresAt);
        Assert.Equal(1, stored.Attempts);
        Assert.Equal(("payment.pending_capture", "1234", "pay-1"), (stored.EventType, stored.MerchantId, stored.PaymentId));
        Assert.Equal(_time.GetUtcNow(), stored.FirstSeenAt);
        Assert.Equal(claim.Record!.ETag, stored.ETag);
    }

    [Fact]
    public async Task ASecondOwnerIsToldItIsInProgressWhileTheLeaseIsLive()
    {
        var (store, _) = NewStore();
        var id = NewId();
        await store.ClaimAsync(id, "worker-a", Lease, Info, default);
        _time.Advance(Lease - TimeSpan.FromSeconds(1));

        var second = await store.ClaimAsync(id, "worker-b", Lease, Info, default);

        Assert.Equal(ClaimStatus.InProgressElsewhere, second.Status);
        Assert.Equal("worker-a", second.Record!.LeaseOwner);
        Assert.Equal(1, (await store.GetAsync(id, default))!.Attempts);
    }

    [Fact]
    public async Task AnExpiredLeaseIsTakenOverAndCountsASecondAttempt()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var first = await store.ClaimAsync(id, "worker-a", Lease, Info, default);
        _time.Advance(Lease);

        var second = await store.ClaimAsync(id, "worker-b", Lease, new EventClaimInfo(null, null, null), default);

        Assert.Equal(ClaimStatus.Claimed, second.Status);
        Assert.Equal(2, second.Record!.Attempts);
        Assert.Equal("worker-b", second.Record.LeaseOwner);
        Assert.Equal(first.Record!.FirstSeenAt, second.Record.FirstSeenAt);
        Assert.Equal("pay-1", second.Record.PaymentId);
        Assert.Equal(second.Record.ETag, (await store.GetAsync(id, default))!.ETag);
    }

    [Fact]
    public async Task TheSameOwnerReclaimsItsOwnLiveLease()
    {
        var (store, _) = NewStore();
        var id = NewId();
        await store.ClaimAsync(id, "worker-a", Lease, Info, default);

        var again = await store.ClaimAsync(id, "worker-a", Lease, Info, default);

        Assert.Equal(ClaimStatus.Claimed, again.Status);
        Assert.Equal(2, again.Record!.Attempts);
    }

    [Fact]
    public async Task ACompletedEventIsNotClaimedAgain()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var claim = await store.ClaimAsync(id, "worker-a", Lease, Info, default);
        _time.Advance(TimeSpan.FromSeconds(2));
        await store.CompleteAsync(claim.Record!, "captured", """{"captureId":"cap-1","statusBefore":"PENDING_CAPTURE","statusAfter":"CAPTURE_REQUESTED"}""", default);
        _time.Advance(Lease * 3);

        var again = await store.ClaimAsync(id, "worker-b", Lease, Info, default);

        Assert.Equal(ClaimStatus.AlreadyCompleted, again.Status);
        Assert.Equal(ProcessingState.Completed, again.Record!.State);
        Assert.Equal("captured", again.Record.Outcome);
        Assert.Contains("cap-1", again.Record.DetailJson, StringComparison.Ordinal);
        Assert.Equal(claim.Record!.FirstSeenAt + TimeSpan.FromSeconds(2), again.Record.CompletedAt);
        Assert.Null(again.Record.LeaseExpiresAt);
        Assert.Equal(1, again.Record.Attempts);
    }

    [Fact]
    public async Task FiftyConcurrentClaimsOfOneEventClaimItExactlyOnce()
    {
        var (store, _) = NewStore();
        var id = NewId();

        var claims = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => store.ClaimAsync(id, $"worker-{i}", Lease, Info, default))));

        var winner = Assert.Single(claims, c => c.Status == ClaimStatus.Claimed);
        Assert.All(claims.Where(c => c != winner), c => Assert.Equal(ClaimStatus.InProgressElsewhere, c.Status));
        var stored = await store.GetAsync(id, default);
        Assert.Equal(winner.Record!.LeaseOwner, stored!.LeaseOwner);
        Assert.Equal(1, stored.Attempts);
    }

    [Fact]
    public async Task FiftyConcurrentTakeoversOfAnExpiredLeaseLetExactlyOneWin()
    {
        var (store, _) = NewStore();
        var id = NewId();
        await store.ClaimAsync(id, "crashed", Lease, Info, default);
        _time.Advance(Lease + TimeSpan.FromSeconds(1));

        var claims = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => store.ClaimAsync(id, $"worker-{i}", Lease, Info, default))));

        var winner = Assert.Single(claims, c => c.Status == ClaimStatus.Claimed);
        Assert.Equal(2, winner.Record!.Attempts);
        Assert.Equal(winner.Record.LeaseOwner, (await store.GetAsync(id, default))!.LeaseOwner);
    }

    [Fact]
    public async Task CompletingAfterSomeoneElseTookOverThrowsLeaseLost()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var slow = await store.ClaimAsync(id, "slow", Lease, Info, default);
        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        var fast = await store.ClaimAsync(id, "fast", Lease, Info, default);
        Assert.Equal(ClaimStatus.Claimed, fast.Status);

        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => store.CompleteAsync(slow.Record!, "captured", null, default));
        Assert.Equal(id, lost.EventId);
        await Assert.ThrowsAsync<LeaseLostException>(() => store.FailAsync(slow.Record!, "declined", null, default));

        await store.CompleteAsync(fast.Record!, "captured", null, default);
        var stored = await store.GetAsync(id, default);
        Assert.Equal((ProcessingState.Completed, "fast"), (stored!.State, stored.LeaseOwner));
    }

    [Fact]
    public async Task AFailedEventIsNotClaimedAgainAndKeepsTheConnectErrors()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var claim = await store.ClaimAsync(id, "worker-a", Lease, Info, default);
        const string errors = """{"errorId":"657b10da-d2f9-4088-95b8-2e7e6a8b8c3d","errors":[{"code":"21000020","httpStatusCode":400,"id":"INVALID_VALUE"}]}""";
        await store.FailAsync(claim.Record!, "validation", errors, default);

        var again = await store.ClaimAsync(id, "worker-b", Lease, Info, default);

        Assert.Equal(ClaimStatus.AlreadyFailed, again.Status);
        Assert.Equal(("validation", errors), (again.Record!.Outcome, again.Record.DetailJson));
        Assert.NotNull(again.Record.CompletedAt);
    }

    [Fact]
    public async Task AReleasedEventIsClaimedAtOnceByTheNextDeliveryWithTheLastErrorKept()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var claim = await store.ClaimAsync(id, "worker-a", Lease, Info, default);
        await store.ReleaseAsync(claim.Record!, "Connect 503 (errorId 1f2e)", default);

        var next = await store.ClaimAsync(id, "worker-b", Lease, Info, default);

        Assert.Equal(ClaimStatus.Claimed, next.Status);
        Assert.Equal(2, next.Record!.Attempts);
        Assert.Equal("Connect 503 (errorId 1f2e)", next.Record.LastError);
    }

    [Fact]
    public async Task ReleasingALostLeaseLeavesTheNewOwnersClaimAlone()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var old = await store.ClaimAsync(id, "old", Lease, Info, default);
        _time.Advance(Lease);
        await store.ClaimAsync(id, "new", Lease, Info, default);

        await store.ReleaseAsync(old.Record!, "late", default);

        var third = await store.ClaimAsync(id, "third", Lease, Info, default);
        Assert.Equal(ClaimStatus.InProgressElsewhere, third.Status);
        Assert.Equal("new", third.Record!.LeaseOwner);
    }

    [Fact]
    public async Task DeadLetteringRecordsTheReasonWithOrWithoutAClaim()
    {
        var (store, _) = NewStore();
        var neverClaimed = NewId();
        await store.MarkDeadLetteredAsync(neverClaimed, "poisoned after 5 dequeues", default);
        var unseen = await store.GetAsync(neverClaimed, default);
        Assert.Equal((ProcessingState.DeadLettered, "poisoned after 5 dequeues", 0), (unseen!.State, unseen.Outcome, unseen.Attempts));

        var claimedId = NewId();
        var claim = await store.ClaimAsync(claimedId, "worker-a", Lease, Info, default);
        await store.ReleaseAsync(claim.Record!, "storage timeout", default);
        await store.MarkDeadLetteredAsync(claimedId, "poisoned after 1 dequeue", default);
        await store.MarkDeadLetteredAsync(claimedId, "poisoned after 1 dequeue", default); // idempotent
        var marked = await store.GetAsync(claimedId, default);
        Assert.Equal(ProcessingState.DeadLettered, marked!.State);
        Assert.Equal(("poisoned after 1 dequeue", "storage timeout", 1, "pay-1"), (marked.Outcome, marked.LastError, marked.Attempts, marked.PaymentId));
        Assert.Null(marked.LeaseExpiresAt);
    }

    [Fact]
    public async Task DeadLetteringNeverOverwritesARealOutcome()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var claim = await store.ClaimAsync(id, "worker-a", Lease, Info, default);
        await store.CompleteAsync(claim.Record!, "captured", null, default);

        await store.MarkDeadLetteredAsync(id, "poisoned", default);

        Assert.Equal((ProcessingState.Completed, "captured"), ((await store.GetAsync(id, default))!.State, (await store.GetAsync(id, default))!.Outcome));
    }

    [Fact]
    public async Task TheOwnerStillRecordsItsOutcomeAfterBeingMarkedDeadLettered()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var claim = await store.ClaimAsync(id, "worker-a", Lease, Info, default);
        await store.MarkDeadLetteredAsync(id, "last delivery reached", default);

        await store.CompleteAsync(claim.Record!, "captured", null, default);

        Assert.Equal(ProcessingState.Completed, (await store.GetAsync(id, default))!.State);
    }

    [Fact]
    public async Task ADeadLetteredEventCanBeClaimedAgainByAReplay()
    {
        var (store, _) = NewStore();
        var id = NewId();
        await store.MarkDeadLetteredAsync(id, "poisoned", default);

        var replay = await store.ClaimAsync(id, "replay", Lease, Info, default);

        Assert.Equal(ClaimStatus.Claimed, replay.Status);
        Assert.Equal((ProcessingState.Processing, 1, "pay-1"), (replay.Record!.State, replay.Record.Attempts, replay.Record.PaymentId));
    }

    [Fact]
    public async Task HostileEventIdsAreStoredAndFoundUnderTheirOwnId()
    {
        var (store, _) = NewStore();
        string[] ids =
        [
            "evt/with/slashes", "evt\\back", "evt#hash", "evt?query=1", "evt%2Fencoded", "evt|pipe", "O'Brien's \"event\"",
            "tab\tnew\nline\u0001\u007f\u0085", "ünïcødé-鍵-🔑", "lone\ud800surrogate", new string('e', 300), new string('#', 400), " ",
        ];

        foreach (var id in ids)
        {
            var claim = await store.ClaimAsync(id, "worker", Lease, Info, default);
            Assert.Equal(ClaimStatus.Claimed, claim.Status);
            await store.CompleteAsync(claim.Record!, "no-action", null, default);
        }

        foreach (var id in ids)
        {
            var stored = await store.GetAsync(id, default);
            Assert.Equal(id, stored?.EventId);
            Assert.Equal(ProcessingState.Completed, stored!.State);
        }

        await Assert.ThrowsAsync<ArgumentException>(() => store.ClaimAsync("", "worker", Lease, Info, default));
        Assert.Null(await store.GetAsync("evt/with", default));
    }

    [Fact]
    public async Task LargeDetailRoundTripsAcrossPropertyChunks()
    {
        var (store, _) = NewStore();
        var id = NewId();
        var claim = await store.ClaimAsync(id, "worker", Lease, Info, default);
        var detail = "{\"actions\":[" + string.Join(',', Enumerable.Range(0, 4000).Select(i => $"{{\"n\":{i},\"s\":\"CAPTURE_REQUESTED\"}}")) + "]}";

        await store.CompleteAsync(claim.Record!, "captured", detail, default);

        Assert.True(detail.Length > 64_000);
        Assert.Equal(detail, (await store.GetAsync(id, default))!.DetailJson);
    }

    [Fact]
    public async Task ATableDeletedUnderTheStoreIsCreatedAgain()
    {
        var (store, table) = NewStore();
        var first = NewId();
        await store.ClaimAsync(first, "worker", Lease, Info, default);

        await table.DeleteAsync();
        var second = NewId();
        var claim = await store.ClaimAsync(second, "worker", Lease, Info, default);

        Assert.Equal(ClaimStatus.Claimed, claim.Status);
        Assert.Null(await store.GetAsync(first, default));
        Assert.NotNull(await store.GetAsync(second, default));
    }

    [Fact]
    public async Task CompletingAfterTheTableWasDeletedReportsTheClaimLost()
    {
        var (store, table) = NewStore();
        var id = NewId();
        var claim = await store.ClaimAsync(id, "worker", Lease, Info, default);

        await table.DeleteAsync();

        await Assert.ThrowsAsync<LeaseLostException>(() => store.CompleteAsync(claim.Record!, "captured", null, default));
        Assert.Null(await store.GetAsync(id, default));
    }
}
