using Azure.Data.Tables;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Retention;
using ConnectEvents.Storage;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.IntegrationTests.Idempotence;

/// <summary>
/// The store's index rows on Azurite: written by the claim and the failure, read by the operators' queries (which answer
/// what the full scan answers), ignored and cleaned when their record no longer matches, deleted by retention.
/// </summary>
public sealed class RecordIndexTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task TheClaimWritesThePaymentRowAndTheFailureTheDaysFailedRow()
    {
        var (store, table) = NewStore();
        var claim = await store.ClaimAsync("evt-1", "a", Lease, Info("pay-1"), default);
        Assert.Equal(["~payment-"], (await IndexRowsAsync(table)).Select(r => r.PartitionKey[..9]));

        _time.Advance(TimeSpan.FromHours(13)); // the next UTC day
        await store.FailAsync(claim.Record!, "declined", null, default);

        var rows = await IndexRowsAsync(table);
        var failed = Assert.Single(rows, r => r.PartitionKey.StartsWith("~failed-", StringComparison.Ordinal));
        Assert.Equal(("~failed-20260302", "evt-1"), (failed.PartitionKey, failed.RowKey));
        var payment = Assert.Single(rows, r => r.PartitionKey.StartsWith("~payment-", StringComparison.Ordinal));
        Assert.Equal(("~payment-" + TableKeys.EventPartition("pay-1"), "pay-1|evt-1"), (payment.PartitionKey, payment.RowKey));
        Assert.Equal("evt-1", Assert.Single(await store.FailedAsync(null, default)).EventId);
        Assert.Equal("evt-1", Assert.Single(await store.PaymentAsync("pay-1", default)).EventId);
    }

    [Fact]
    public async Task ATakeoverWritesThePaymentRowAgainWhenTheClaimLostIt()
    {
        var (store, table) = NewStore();
        await store.ClaimAsync("evt-1", "a", Lease, Info("pay-1"), default);
        var row = Assert.Single(await IndexRowsAsync(table));
        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey); // as if the claim's index write had failed
        Assert.Empty(await store.PaymentAsync("pay-1", default));

        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        var takeover = await store.ClaimAsync("evt-1", "b", Lease, Info("pay-1"), default);

        Assert.Equal((ClaimStatus.Claimed, 2), (takeover.Status, takeover.Record!.Attempts));
        Assert.Equal(["evt-1"], Ids(await store.PaymentAsync("pay-1", default)));
    }

    [Fact]
    public async Task TheIndexReadersAnswerWhatTheFullScanAnswers()
    {
        var (store, _) = NewStore();
        var start = _time.GetUtcNow();
        for (var day = 0; day < 4; day++)
        {
            for (var i = 0; i < 5; i++)
            {
                var id = $"evt-{day}-{i}";
                var claim = await store.ClaimAsync(id, "a", Lease, Info($"pay-{i % 3}"), default);
                await (i % 2 == 0
                    ? store.FailAsync(claim.Record!, "declined", null, default)
                    : store.CompleteAsync(claim.Record!, "captured", null, default));
            }

            _time.Advance(TimeSpan.FromDays(1));
        }

        // Failed on day 0, replayed and completed on day 4; failed on day 0, replayed and failed again on day 4.
        await ReplayAsync(store, "evt-0-0", fail: false);
        await ReplayAsync(store, "evt-0-2", fail: true);
        await store.MarkDeadLetteredAsync("evt-dl", "poisoned", default);
        foreach (var (id, payment) in new[] { ("evt-p10", "pay-10"), ("evt-bar", "pay-1|x"), ("evt-p1x", "pay-1x") })
        {
            var claim = await store.ClaimAsync(id, "a", Lease, Info(payment), default); // ids that begin like pay-1's
            await store.CompleteAsync(claim.Record!, "captured", null, default);
        }

        _time.Advance(TimeSpan.FromHours(1));

        foreach (var since in new DateTimeOffset?[] { null, start, start.AddDays(1.5), start.AddDays(4), _time.GetUtcNow() })
        {
            Assert.Equal(Ids(await store.QueryAsync(ProcessingState.Failed, null, since, default)), Ids(await store.FailedAsync(since, default)));
        }

        foreach (var payment in new[] { "pay-0", "pay-1", "pay-2", "pay-10", "pay-1|x", "pay-1x", "pay-none" })
        {
            Assert.Equal(Ids(await store.QueryAsync(null, payment, null, default)), Ids(await store.PaymentAsync(payment, default)));
        }

        Assert.Equal(11, (await store.FailedAsync(start, default)).Count); // 12 failures, one of them replayed and completed since
        Assert.DoesNotContain("evt-0-0", Ids(await store.FailedAsync(null, default)));
        Assert.Contains("evt-0-2", Ids(await store.FailedAsync(start.AddDays(4), default)));
    }

    [Fact]
    public async Task ARowWhoseRecordIsGoneOrMovedOnIsIgnoredAndDeletedOnceOld()
    {
        var (store, table) = NewStore();
        var claim = await store.ClaimAsync("evt-replayed", "a", Lease, Info("pay-x"), default);
        await store.FailAsync(claim.Record!, "declined", null, default);
        await ReplayAsync(store, "evt-replayed", fail: false);
        var now = _time.GetUtcNow();
        await table.AddEntityAsync(RecordIndex.FailedRow("evt-gone", now));
        await table.AddEntityAsync(RecordIndex.PaymentRow("pay-x", "evt-gone", now));
        await table.AddEntityAsync(RecordIndex.PaymentRow("pay-x", "evt-other", now));
        var other = await store.ClaimAsync("evt-other", "a", Lease, Info("pay-y"), default); // about another payment
        await store.CompleteAsync(other.Record!, "captured", null, default);
        var before = (await IndexRowsAsync(table)).Count;

        // Young rows: a write they were made for may still be under way, so they are ignored but kept.
        Assert.Empty(await store.FailedAsync(null, default));
        Assert.Equal(["evt-replayed"], Ids(await store.PaymentAsync("pay-x", default)));
        Assert.Equal(before, (await IndexRowsAsync(table)).Count);

        _time.Advance(RecordIndex.Grace + TimeSpan.FromSeconds(1));
        Assert.Empty(await store.FailedAsync(null, default));
        Assert.Equal(["evt-replayed"], Ids(await store.PaymentAsync("pay-x", default)));

        var left = await IndexRowsAsync(table);
        Assert.Equal(before - 4, left.Count);
        Assert.DoesNotContain(left, r => r.PartitionKey.StartsWith("~failed-", StringComparison.Ordinal));
        Assert.DoesNotContain(left, r => r.GetString("EventId") == "evt-gone");
        Assert.Equal(["evt-other"], Ids(await store.PaymentAsync("pay-y", default)));
    }

    [Fact]
    public async Task RetentionDeletesTheRowsWithTheirRecordsAndSweepsDaysPastTheFailedPeriod()
    {
        var (store, table) = NewStore();
        var early = await store.ClaimAsync("evt-early", "a", Lease, Info("pay-1"), default);
        await store.FailAsync(early.Record!, "declined", null, default);
        var late = await store.ClaimAsync("evt-late", "a", Lease, Info("pay-2"), default);
        await store.FailAsync(late.Record!, "declined", null, default);
        _time.Advance(TimeSpan.FromDays(30));
        await ReplayAsync(store, "evt-late", fail: true); // failed again 30 days later: its first day's row is stale
        Assert.Equal(5, (await IndexRowsAsync(table)).Count);

        _time.Advance(TimeSpan.FromDays(62)); // evt-early's day is past the Failed period; evt-late's last failure is not
        var report = await store.ExpireAsync(new RetentionRule(new RetentionOptions(), _time.GetUtcNow()), 1_000, default);

        Assert.Equal((1, 3, true), (report.RecordsDeleted, report.IndexRowsDeleted, report.Complete));
        var left = await IndexRowsAsync(table);
        Assert.Equal(["~failed-20260331|evt-late", "~payment-" + TableKeys.EventPartition("pay-2") + "|pay-2|evt-late"],
            left.Select(r => r.PartitionKey + "|" + r.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(["evt-late"], Ids(await store.FailedAsync(null, default)));
    }

    [Fact]
    public async Task ReindexWritesTheRowsOfRecordsWrittenBeforeTheIndexAndChangesNothingTheSecondTime()
    {
        var (store, table) = NewStore();
        for (var i = 0; i < 150; i++)
        {
            var claim = await store.ClaimAsync($"evt-{i}", "a", Lease, Info($"pay-{i % 2}"), default);
            await (i < 120 ? store.FailAsync(claim.Record!, "declined", null, default) : store.CompleteAsync(claim.Record!, "captured", null, default));
        }

        var written = (await IndexRowsAsync(table)).Select(r => r.PartitionKey + "|" + r.RowKey).Order(StringComparer.Ordinal).ToList();
        foreach (var row in await IndexRowsAsync(table))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        Assert.Empty(await store.FailedAsync(null, default)); // records of before the index: not found until reindexed

        var first = await store.ReindexAsync(default);
        var second = await store.ReindexAsync(default);

        Assert.Equal(new ReindexReport(150, 120, 150), first);
        Assert.Equal(first, second);
        Assert.Equal(written, (await IndexRowsAsync(table)).Select(r => r.PartitionKey + "|" + r.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(120, (await store.FailedAsync(null, default)).Count);
        Assert.Equal(75, (await store.PaymentAsync("pay-1", default)).Count);
    }

    private static EventClaimInfo Info(string payment) => new("payment.pending_capture", "1234", payment, "{}"u8.ToArray());

    private static List<string> Ids(IEnumerable<ProcessedEventRecord> records) => [.. records.Select(r => r.EventId).Order(StringComparer.Ordinal)];

    private static async Task<List<TableEntity>> IndexRowsAsync(TableClient table) =>
        await table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {RecordIndex.Prefix}")).ToListAsync();

    private static async Task ReplayAsync(TableProcessedEventStore store, string id, bool fail)
    {
        Assert.Equal(ReopenStatus.Reopened, (await store.ReopenAsync(id, default)).Status);
        var claim = await store.ClaimAsync(id, "b", Lease, Info((await store.GetAsync(id, default))!.PaymentId!), default);
        await (fail ? store.FailAsync(claim.Record!, "declined again", null, default) : store.CompleteAsync(claim.Record!, "captured", null, default));
    }

    private (TableProcessedEventStore Store, TableClient Table) NewStore()
    {
        var table = new TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("index"));
        return (new TableProcessedEventStore(table, _time), table);
    }
}
