using System.Diagnostics;
using Azure.Data.Tables;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Storage;

namespace ConnectEvents.Benchmarks.Processing;

/// <summary>
/// What the operators' queries cost over a large table: on a fresh Azurite, seeds <c>completed</c> Completed records (two
/// events per payment, last written over the past 30 days) and <c>failed</c> Failed ones of the last hours, with the index
/// rows the store writes for them (table transactions, so the seeding is quick), and times <c>list --failed</c> and
/// <c>status --payment</c> through the index beside the full scan they used to make, at a tenth of the records and at all
/// of them; then a <c>reindex</c> of the same records in a table without index rows, as after an upgrade.
/// Usage: <c>load opsindex [completed=100000] [failed=10]</c>.
/// </summary>
public sealed class OperatorIndexLoadRun : ILoadRun
{
    private const int IndexRepeats = 5;
    private const int ScanRepeats = 3; // a scan over 100,000 rows takes seconds on Azurite
    private const int BatchesAtOnce = 16;

    /// <inheritdoc />
    public string Name => "opsindex";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var completed = LoadArgs.Count(args, 0, 100_000);
        var failed = LoadArgs.Count(args, 1, 10);
        Console.WriteLine($"operator queries: {completed} Completed + {failed} Failed records, Azurite on 127.0.0.1");
        await using var azurite = await AzuriteInstance.StartAsync();
        var table = StorageClients.FromConnectionString(azurite.ConnectionString).Table("processedevents");
        await table.CreateIfNotExistsAsync();
        var store = new TableProcessedEventStore(table, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;

        // Two sizes in one run: a tenth of the records first, then the rest, so the figures show what grows with the table.
        var failedRecords = Enumerable.Range(0, failed).Select(i => Record($"evt-f{i:D4}", $"pay-f{i:D4}", ProcessingState.Failed, now.AddMinutes(-(i * 30))));
        var seeded = 0;
        var payment = $"pay-{completed / 40:D7}"; // its two events are in the first tenth
        var since = now.AddHours(-24);
        foreach (var size in new[] { completed / 10, completed })
        {
            var seeding = Stopwatch.StartNew();
            var records = Enumerable.Range(seeded, size - seeded)
                .Select(i => Record($"evt-c{i:D7}", $"pay-{i / 2:D7}", ProcessingState.Completed, now.AddSeconds(-(i * 2_592_000.0 / completed))))
                .Concat(seeded == 0 ? failedRecords : [])
                .ToList();
            var rows = records.Select(r => TableProcessedEventStore.ToEntity(r, TableKeys.EventPartition(r.EventId), TableKeys.Escape(r.EventId)))
                .Concat(records.SelectMany(RecordIndex.RowsOf));
            var batches = await InsertAsync(table, rows);
            seeded = size;
            Console.WriteLine($"table of {size + failed} records: seeded {records.Count} records and their index rows in {batches} transactions, {seeding.Elapsed.TotalSeconds:F1} s");

            var failedRows = await CountAsync(table, RecordIndex.FailedFilter(null));
            var paymentRows = await CountAsync(table, RecordIndex.PaymentFilter(payment));
            await CompareAsync($"  list --failed ({failedRows} index rows)", c => store.FailedAsync(null, c), c => store.QueryAsync(ProcessingState.Failed, null, null, c));
            await CompareAsync($"  list --failed --since 24h", c => store.FailedAsync(since, c), c => store.QueryAsync(ProcessingState.Failed, null, since, c));
            await CompareAsync($"  status --payment ({paymentRows} index rows)", c => store.PaymentAsync(payment, c), c => store.QueryAsync(null, payment, null, c));
            // For scale: one point read, which Azure serves from its key index; an emulator that scans for it grows with the table.
            var (_, pointMs) = await TimeAsync(async c => [(await store.GetAsync("evt-f0000", c))!], IndexRepeats);
            Console.WriteLine($"  {"status <event-id> (one point read)",-40} {pointMs,8:F1} ms; a full scan reads all {size + failed} records (the index queries above read their index rows and one record per row)");
        }

        // Reindex as after an upgrade: the same records in a table of their own without index rows (seeded, not timed).
        var legacy = StorageClients.FromConnectionString(azurite.ConnectionString).Table("legacyevents");
        await legacy.CreateIfNotExistsAsync();
        await InsertAsync(legacy, Enumerable.Range(0, completed)
            .Select(i => Record($"evt-c{i:D7}", $"pay-{i / 2:D7}", ProcessingState.Completed, now.AddSeconds(-(i * 2_592_000.0 / completed))))
            .Concat(failedRecords)
            .Select(r => TableProcessedEventStore.ToEntity(r, TableKeys.EventPartition(r.EventId), TableKeys.Escape(r.EventId))));
        var legacyStore = new TableProcessedEventStore(legacy, TimeProvider.System);
        var read = Stopwatch.StartNew();
        var all = await CountAsync(legacy, RecordIndex.RecordsOnly);
        Console.WriteLine($"reindex of a table without index rows: reading every record once (paged, keys only) takes {read.Elapsed.TotalSeconds:F1} s for {all}");
        var before = (await legacyStore.FailedAsync(null, CancellationToken.None)).Count;
        var reindex = Stopwatch.StartNew();
        var report = await legacyStore.ReindexAsync(CancellationToken.None);
        var after = (await legacyStore.FailedAsync(null, CancellationToken.None)).Count;
        Console.WriteLine($"reindex: {report.Records} records read, {report.FailedRows} failed and {report.PaymentRows} payment rows written in {reindex.Elapsed.TotalSeconds:F1} s; list --failed found {before} before and {after} after");
    }

    private static ProcessedEventRecord Record(string id, string payment, ProcessingState state, DateTimeOffset at) =>
        new(id, state, "load", null, 1, "payment.pending_capture", "1234", payment,
            state == ProcessingState.Completed ? "captured" : "declined", TableInsertLoadRun.Detail, at, at, default)
        {
            UpdatedAt = at,
            ClaimedAt = at,
        };

    private static async Task<int> CountAsync(TableClient table, string filter)
    {
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey"]))
        {
            count++;
        }

        return count;
    }

    /// <summary>Inserts the rows in transactions of up to 100 rows of one partition, several at once; returns how many.</summary>
    private static async Task<int> InsertAsync(TableClient table, IEnumerable<TableEntity> rows)
    {
        var batches = rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(100))
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = BatchesAtOnce }, async (batch, c) =>
            await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), c));
        return batches.Count;
    }

    /// <summary>Times the index query and the scan a few times each, checks they answer the same, and prints the medians.</summary>
    private static async Task CompareAsync(string label, Func<CancellationToken, Task<IReadOnlyList<ProcessedEventRecord>>> index, Func<CancellationToken, Task<IReadOnlyList<ProcessedEventRecord>>> scan)
    {
        var (byIndex, indexMs) = await TimeAsync(index, IndexRepeats);
        var (byScan, scanMs) = await TimeAsync(scan, ScanRepeats);
        var same = byIndex.Select(r => r.EventId).Order(StringComparer.Ordinal).SequenceEqual(byScan.Select(r => r.EventId).Order(StringComparer.Ordinal), StringComparer.Ordinal);
        Console.WriteLine($"{label,-42} index: {byIndex.Count} records in {indexMs,8:F1} ms   full scan: {byScan.Count} records in {scanMs,8:F1} ms   ({scanMs / Math.Max(indexMs, 0.001),5:F1}x; same answer: {(same ? "yes" : "NO")}; medians of {IndexRepeats} and {ScanRepeats})");
    }

    private static async Task<(IReadOnlyList<ProcessedEventRecord> Records, double MedianMs)> TimeAsync(Func<CancellationToken, Task<IReadOnlyList<ProcessedEventRecord>>> query, int repeats)
    {
        var times = new List<double>(repeats);
        IReadOnlyList<ProcessedEventRecord> records = [];
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            records = await query(CancellationToken.None);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (records, times[repeats / 2]);
    }
}
