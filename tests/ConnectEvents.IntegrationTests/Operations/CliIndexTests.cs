using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Messaging;

namespace ConnectEvents.IntegrationTests.Operations;

/// <summary>
/// The operators' queries of <c>connect-events</c> on Azurite read the store's index rows, not the whole table: a Failed
/// record without its rows (written before the index) is not found until <c>reindex</c>, and <c>list --quarantined
/// --since</c> lists only the days asked for.
/// </summary>
public sealed class CliIndexTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ListFailedReplayFailedAndStatusPaymentReadTheIndexUntilReindexAddsOlderRecords()
    {
        var (cli, store, table, _) = NewRun();
        await ClaimAsync(store, "evt-a", "pay-1", fail: true);
        await ClaimAsync(store, "evt-b", "pay-1", fail: false);
        await ClaimAsync(store, "evt-old", "pay-1", fail: true);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {RecordIndex.Prefix} and EventId eq {"evt-old"}")))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey); // as if written before the index existed
        }

        Assert.Equal(2, (await store.QueryAsync(ProcessingState.Failed, null, null, default)).Count); // a scan would see it

        var list = await cli.RunAsync("list", "--failed", "--since", "1h");
        var status = await cli.RunAsync("status", "--payment", "pay-1");
        var replay = await cli.RunAsync("replay", "--failed", "--since", "1h", "--dry-run");

        Assert.True(list.ExitCode == 0 && status.ExitCode == 0 && replay.ExitCode == 0, $"{list}\n{status}\n{replay}");
        Assert.Contains("evt-a", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("evt-b", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("evt-old", list.Out, StringComparison.Ordinal);
        Assert.Contains("1 failed", list.Error, StringComparison.Ordinal);
        Assert.Contains("evt-a", status.Out, StringComparison.Ordinal);
        Assert.Contains("evt-b", status.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("evt-old", status.Out, StringComparison.Ordinal);
        Assert.Contains("evt-a: would reopen", replay.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("evt-old", replay.Out, StringComparison.Ordinal);

        var reindex = await cli.RunAsync("reindex");
        Assert.True(reindex.ExitCode == 0, reindex.ToString());
        Assert.Contains("3 records read", reindex.Out, StringComparison.Ordinal);
        Assert.Contains("2 failed-index rows and 3 payment-index rows", reindex.Out, StringComparison.Ordinal);

        Assert.Contains("evt-old", (await cli.RunAsync("list", "--failed", "--since", "1h")).Out, StringComparison.Ordinal);
        Assert.Contains("evt-old", (await cli.RunAsync("status", "--payment", "pay-1")).Out, StringComparison.Ordinal);
        Assert.Contains("evt-old: would reopen", (await cli.RunAsync("replay", "--failed", "--dry-run")).Out, StringComparison.Ordinal);
        Assert.Equal(ConnectEvents.Cli.CliApp.ExitFailure, (await cli.RunAsync("status", "--payment", "pay-none")).ExitCode);
    }

    [Fact]
    public async Task ListQuarantinedSinceListsTheDaysAskedFor()
    {
        var (cli, _, _, container) = NewRun();
        var quarantine = new BlobQuarantineStore(container);
        var now = DateTimeOffset.UtcNow;
        var today = await QuarantineAsync(quarantine, now);
        var earlier = await QuarantineAsync(quarantine, now.AddDays(-3));

        var recent = await cli.RunAsync("list", "--quarantined", "--since", "1h");
        var week = await cli.RunAsync("list", "--quarantined", "--since", "4d");
        var all = await cli.RunAsync("list", "--quarantined");

        Assert.Contains(today, recent.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(earlier, recent.Out, StringComparison.Ordinal);
        Assert.Contains(today, week.Out, StringComparison.Ordinal);
        Assert.Contains(earlier, week.Out, StringComparison.Ordinal);
        Assert.Contains(earlier, all.Out, StringComparison.Ordinal);
        Assert.Contains("2 quarantined", all.Error, StringComparison.Ordinal);
    }

    private static async Task ClaimAsync(TableProcessedEventStore store, string id, string payment, bool fail)
    {
        var claim = await store.ClaimAsync(id, "worker", Lease, new EventClaimInfo("payment.pending_capture", "1234", payment, "{}"u8.ToArray()), default);
        await (fail ? store.FailAsync(claim.Record!, "declined", null, default) : store.CompleteAsync(claim.Record!, "captured", null, default));
    }

    private static async Task<string> QuarantineAsync(BlobQuarantineStore store, DateTimeOffset at)
    {
        var id = $"{at.UtcDateTime:HHmmssfff}-{Guid.NewGuid():N}";
        await store.StoreAsync(new QuarantinedEvent(id, "not JSON", "key-1", at, new Dictionary<string, string>(), "x"u8.ToArray()), default);
        return id;
    }

    private (CliRunner Cli, TableProcessedEventStore Store, TableClient Table, BlobContainerClient Container) NewRun()
    {
        var tableName = AzuriteFixture.UniqueName("cliindex");
        var containerName = AzuriteFixture.UniqueName("quarantine");
        var cli = new CliRunner(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Events__QueueName"] = AzuriteFixture.UniqueName("events"),
            ["Processing__Store__TableName"] = tableName,
            ["Webhooks__QuarantineContainer"] = containerName,
        });
        var table = new TableClient(azurite.ConnectionString, tableName);
        return (cli, new TableProcessedEventStore(table, TimeProvider.System), table, new BlobContainerClient(azurite.ConnectionString, containerName));
    }
}
