using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Connect.Simulator;
using ConnectEvents.Benchmarks.Infrastructure;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Storage;

namespace ConnectEvents.Benchmarks.Processing;

/// <summary>
/// Event processing end to end through the dev host (in this process, Production), next to Azurite's raw Table insert
/// rate at the same concurrency (measured before and after): N signed payment.pending_capture webhooks (one
/// PENDING_CAPTURE payment each in the Connect simulator) are POSTed with C workers; the webhook enqueues each, the WebJobs
/// Storage-queue listener (batchSize C up to its limit of 32, newBatchThreshold half of it) runs <c>ProcessConnectEvent</c>,
/// which claims the event in Table storage, GETs and captures the payment and completes the record. A warm-up of N events
/// on the same host runs first: with a few hundred the JIT was still promoting methods to optimised code during the
/// measurement. Events/s runs from the first POST to the last completion in the records; latency is accepted (200) →
/// completed per event. CPU per event is split between this process (dev host + simulator + load generator) and Azurite,
/// whose queue operations scan the queue (see <c>load storageops</c>). Usage: <c>load processing [events=2000] [concurrency=16]</c>.
/// </summary>
public sealed class ProcessingLoadRun : ILoadRun
{
    private const string Merchant = "1234";

    /// <summary>The most messages the WebJobs queue listener takes per receive.</summary>
    private const int MaxBatchSize = 32;

    /// <inheritdoc />
    public string Name => "processing";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var total = LoadArgs.Count(args, 0, 2_000);
        var concurrency = LoadArgs.Count(args, 1, 16);
        if (args.Length > 2)
        {
            throw new ArgumentException("usage: load processing [events] [concurrency]; the pump and invocations parts went with the custom handler", nameof(args));
        }

        var batchSize = Math.Clamp(concurrency, 1, MaxBatchSize);
        var threshold = batchSize / 2;
        Console.WriteLine($"processing load: {total} payment.pending_capture webhooks, {concurrency} concurrent POSTs, queue listener batchSize {batchSize} " +
            $"newBatchThreshold {threshold}; dev host, Azurite and simulator on 127.0.0.1");

        await using var azurite = await AzuriteInstance.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync();
        // Captures are counted from the simulator's payments; its request log would only grow and cost the measured process.
        simulator.State.RecordRequests = false;
        var storage = StorageClients.FromConnectionString(azurite.ConnectionString);
        var run = Guid.NewGuid().ToString("N")[..8];

        // A fresh Azurite (node) needs a few thousand requests before its table path runs at its settled rate.
        await TableInsertLoadRun.MeasureRawInsertsAsync(storage.Table("raw" + run + "w"), total, concurrency, "raw Table AddEntity (Azurite warm-up, not counted)");
        var rawCpu = CpuWindow.Start(azurite);
        var rawBefore = await TableInsertLoadRun.MeasureRawInsertsAsync(storage.Table("raw" + run + "a"), total, concurrency, "raw Table AddEntity (before)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw Table AddEntity (before): Azurite cpu {rawCpu.Stop().Azurite.TotalMicroseconds / total:F0} us per insert"));

        var eventsTable = "pe" + run;
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobs.ProcessConnectEvent.Disabled"] = "false",
            ["AzureFunctionsJobHost:extensions:queues:batchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
            ["AzureFunctionsJobHost:extensions:queues:newBatchThreshold"] = threshold.ToString(CultureInfo.InvariantCulture),
            // host.json lets an idle listener back off to 2 s; the first events of a run should not wait for that.
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.100",
            ["Webhooks:QuarantineContainer"] = "quarantine-" + run,
            ["Processing:Store:TableName"] = eventsTable,
            ["TokenVault:TableName"] = "tv" + run,
            ["Connect:Endpoint"] = simulator.BaseAddress.ToString(),
            ["Connect:ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
            ["Connect:SecretApiKey"] = SimulatorHost.DefaultSecretApiKey,
            ["Connect:LogRequests"] = "false",
        };
        LoadResult measured;
        await using (var app = await LoadDevHost.StartAsync(azurite.ConnectionString, settings))
        {
            using var http = SignedWebhookPost.Client(app.ServerUrl, concurrency);
            var events = new EventRun(azurite, storage.Table(eventsTable), simulator, http, concurrency);
            await events.RunAsync($"{run}w", total, "warm-up");
            measured = await events.RunAsync($"{run}m", total, "processing");
        }

        var rawAfter = await TableInsertLoadRun.MeasureRawInsertsAsync(storage.Table("raw" + run + "b"), total, concurrency, "raw Table AddEntity (after)");
        var raw = (rawBefore.PerSecond + rawAfter.PerSecond) / 2;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"raw Table insert {raw:F0}/s (mean of before {rawBefore.PerSecond:F0} and after {rawAfter.PerSecond:F0}), concurrency {concurrency}:"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  webhook -> queue listener -> processed {measured.PerSecond:F0} events/s (accepted->completed p50 {measured.P50Ms:F0} ms, p99 {measured.P99Ms:F0} ms): processing/raw = {measured.PerSecond / raw:P1} (goal >= 40 %)"));
    }

    /// <summary>One batch of events through a running dev host, measured.</summary>
    private sealed class EventRun(AzuriteInstance azurite, TableClient records, SimulatorHost simulator, HttpClient http, int concurrency)
    {
        /// <summary>
        /// Seeds <paramref name="count"/> payments, POSTs one signed event for each, waits until the simulator has captured
        /// them all and every record is Completed, then prints and returns the figures.
        /// </summary>
        public async Task<LoadResult> RunAsync(string tag, int count, string label)
        {
            var paymentIds = Enumerable.Range(0, count).Select(i => $"pay-{tag}-{i:D6}").ToArray();
            foreach (var paymentId in paymentIds)
            {
                simulator.State.SeedPayment(Merchant, paymentId);
            }

            // Built and signed before the clock starts: the load generator's own work is not the app's.
            var eventIds = paymentIds.Select(_ => Guid.NewGuid().ToString()).ToArray();
            var bodies = paymentIds.Select((paymentId, i) => SampleEvents.Build("payment.pending_capture", Merchant, paymentId, eventIds[i])).ToArray();
            var signatures = bodies.Select(SignedWebhookPost.Sign).ToArray();
            var accepted = new DateTimeOffset[count];

            var started = DateTimeOffset.UtcNow;
            var wall = Stopwatch.StartNew();
            var cpu = CpuWindow.Start(azurite);
            await LoadStats.RunAsync($"{label}: signed webhook POSTs (enqueue)", count, concurrency, async i =>
            {
                await SignedWebhookPost.SendAsync(http, bodies[i], signatures[i]);
                accepted[i] = DateTimeOffset.UtcNow;
            });
            var deadline = TimeSpan.FromSeconds(Math.Max(120, count / 10.0));
            int captured;
            while ((captured = paymentIds.Sum(id => simulator.State.CountCaptures(Merchant, id))) < count && wall.Elapsed < deadline)
            {
                await Task.Delay(25);
            }

            wall.Stop();
            var (ownCpu, azuriteCpu) = cpu.Stop();
            if (captured < count)
            {
                Console.WriteLine($"{label}: only {captured} of {count} payments captured within {deadline}; figures cover those.");
            }

            // The last few completions may still be on their way to the table: wait for them outside the CPU window.
            var index = eventIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
            var rows = await CompletedRowsAsync(index, count);
            var completed = rows.Count(r => r.State == nameof(ProcessingState.Completed));
            var acceptedToCompleted = rows.Where(r => r.CompletedAt is not null).Select(r => (r.CompletedAt!.Value - accepted[r.Index]).TotalMilliseconds).Order().ToList();
            var claimToCompleted = rows.Where(r => r.CompletedAt is not null).Select(r => (r.CompletedAt!.Value - r.FirstSeenAt!.Value).TotalMilliseconds).Order().ToList();
            var last = rows.Select(r => r.CompletedAt).Max();
            var span = last is { } l ? l - started : TimeSpan.Zero;
            var result = new LoadResult($"{label}: accepted->completed", count, count - completed, span > TimeSpan.Zero ? completed / span.TotalSeconds : 0,
                LoadStats.Percentile(acceptedToCompleted, 0.50), LoadStats.Percentile(acceptedToCompleted, 0.99));
            Console.WriteLine(result);
            var states = rows.GroupBy(r => r.State).Select(g => $"{g.Key}={g.Count()}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: records {string.Join(", ", states)}; captures {captured}; first POST -> last completion {span.TotalSeconds:F2} s; " +
                $"claim->completed p50 {LoadStats.Percentile(claimToCompleted, 0.50):F1} ms p99 {LoadStats.Percentile(claimToCompleted, 0.99):F1} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: cpu per event: this process (dev host + simulator + load) {ownCpu.TotalMicroseconds / Math.Max(1, completed):F0} us, Azurite {azuriteCpu.TotalMicroseconds / Math.Max(1, completed):F0} us; " +
                $"busy over {wall.Elapsed.TotalSeconds:F2} s: this process {ownCpu / wall.Elapsed:P0} of one core, Azurite {azuriteCpu / wall.Elapsed:P0} of one core ({Environment.ProcessorCount} cores)"));
            return result;
        }

        /// <summary>The records of this batch's events, read again (for up to 30 s) until all are Completed.</summary>
        private async Task<List<Row>> CompletedRowsAsync(Dictionary<string, int> index, int count)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                var rows = new List<Row>(count);
                await foreach (var entity in records.QueryAsync<TableEntity>(RecordIndex.RecordsOnly, select: ["EventId", "State", "FirstSeenAt", "CompletedAt"]))
                {
                    if (entity.GetString("EventId") is { } id && index.TryGetValue(id, out var i))
                    {
                        rows.Add(new Row(i, entity.GetString("State") ?? "?", entity.GetDateTimeOffset("FirstSeenAt"), entity.GetDateTimeOffset("CompletedAt")));
                    }
                }

                if (rows.Count(r => r.State == nameof(ProcessingState.Completed)) == count || waited.Elapsed > TimeSpan.FromSeconds(30))
                {
                    return rows;
                }

                await Task.Delay(100);
            }
        }
    }

    private sealed record Row(int Index, string State, DateTimeOffset? FirstSeenAt, DateTimeOffset? CompletedAt);
}
