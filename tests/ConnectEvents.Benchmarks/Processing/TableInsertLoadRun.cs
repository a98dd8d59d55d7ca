using Azure.Data.Tables;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Storage;

namespace ConnectEvents.Benchmarks.Processing;

/// <summary>
/// Azurite's raw Table insert rate (one <c>AddEntity</c> of a claim-sized row per operation) at a fixed concurrency: the
/// ceiling the processing pipeline is compared with. Also runs the processed-event store's claim + complete (two writes per
/// event, the pipeline's storage floor, plus the payment index row the claim writes alongside) at the same concurrency, and
/// the same for events without a payment id (no index row). Usage: <c>load tableinsert [inserts=5000] [concurrency=32]</c>.
/// </summary>
public sealed class TableInsertLoadRun : ILoadRun
{
    /// <inheritdoc />
    public string Name => "tableinsert";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var total = LoadArgs.Count(args, 0, 5_000);
        var concurrency = LoadArgs.Count(args, 1, 32);
        Console.WriteLine($"table insert load: {total} operations, {concurrency} concurrent, Azurite on 127.0.0.1");

        await using var azurite = await AzuriteInstance.StartAsync();
        var storage = StorageClients.FromConnectionString(azurite.ConnectionString);
        await MeasureRawInsertsAsync(storage.Table("rawinserts"), total, concurrency);

        var store = new TableProcessedEventStore(storage.Table("processedevents"), TimeProvider.System);
        var info = new EventClaimInfo("payment.pending_capture", "1234", "000000123410000595980000100001");
        var lease = TimeSpan.FromMinutes(5);
        var run = Guid.NewGuid().ToString("N")[..8];
        var unindexed = info with { PaymentId = null };
        async Task ClaimAndComplete(int i, EventClaimInfo claimInfo)
        {
            var claim = await store.ClaimAsync($"{run}-{i}", "load", lease, claimInfo, CancellationToken.None);
            await store.CompleteAsync(claim.Record!, "captured", Detail, CancellationToken.None);
        }

        await LoadStats.RunAsync("store claim+complete (warm-up)", WarmUpCount(total), concurrency, i => ClaimAndComplete(-1 - i, info));
        await LoadStats.RunAsync("store claim+complete (2 writes/event + its payment index row, sent alongside the claim)", total, concurrency, i => ClaimAndComplete(i, info));
        // The same without a payment id, so without the index row: what the index costs the processing path.
        await LoadStats.RunAsync("store claim+complete, no payment id (2 writes/event)", total, concurrency, i => ClaimAndComplete(total + i, unindexed));
    }

    /// <summary>
    /// Inserts <paramref name="count"/> new claim-sized rows into <paramref name="table"/> (created if missing) with
    /// <paramref name="concurrency"/> workers after a short warm-up, and prints and returns the figures (ops/s, p50, p99).
    /// </summary>
    public static async Task<LoadResult> MeasureRawInsertsAsync(TableClient table, int count, int concurrency, string label = "raw Table AddEntity")
    {
        ArgumentNullException.ThrowIfNull(table);
        await table.CreateIfNotExistsAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        Task Insert(string id) => table.AddEntityAsync(ClaimRow(id));

        await LoadStats.RunAsync(label + " (warm-up)", WarmUpCount(count), concurrency, i => Insert($"{run}-w{i}"));
        return await LoadStats.RunAsync(label, count, concurrency, i => Insert($"{run}-{i}"));
    }

    /// <summary>A row shaped like the processed-event store's claim (the properties a first delivery writes).</summary>
    internal static TableEntity ClaimRow(string id) => new(TableKeys.EventPartition(id), id)
    {
        ["EventId"] = id,
        ["State"] = "Processing",
        ["LeaseOwner"] = "load",
        ["LeaseExpiresAt"] = DateTimeOffset.UtcNow.AddMinutes(5),
        ["Attempts"] = 1,
        ["EventType"] = "payment.pending_capture",
        ["MerchantId"] = "1234",
        ["PaymentId"] = "000000123410000595980000100001",
        ["FirstSeenAt"] = DateTimeOffset.UtcNow,
    };

    /// <summary>The claim row <paramref name="claim"/> as the store's completion replaces it: lease gone, state, outcome and detail set.</summary>
    internal static TableEntity CompletedRow(TableEntity claim)
    {
        var entity = new TableEntity(claim);
        entity.Remove("LeaseExpiresAt");
        entity["State"] = "Completed";
        entity["Outcome"] = "captured";
        entity["DetailJson"] = Detail;
        entity["CompletedAt"] = DateTimeOffset.UtcNow;
        return entity;
    }

    /// <summary>An outcome detail of the size a capture writes.</summary>
    internal const string Detail =
        """{"actions":[{"action":"capture","captureId":"000000123410000595980000100001-300001","statusBefore":"PENDING_CAPTURE","statusAfter":"CAPTURE_REQUESTED","ms":12}]}""";

    private static int WarmUpCount(int total) => Math.Max(1, Math.Min(500, total / 10));
}
