using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Connect.Simulator;
using ConnectEvents.Benchmarks.Infrastructure;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Messaging;
using ConnectEvents.Processing;
using ConnectEvents.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.Benchmarks.Processing;

/// <summary>
/// Event processing under load, two ways in the same run, next to Azurite's raw Table insert rate at the same concurrency
/// (measured before and after):
/// <list type="number">
/// <item>the standalone pipeline: N payment.pending_capture events (one PENDING_CAPTURE payment each in the Connect
/// simulator) are put on an Azurite queue with the webhook's own <see cref="StorageQueueEventPublisher"/> before the app
/// starts; the app's queue pump (concurrency C) receives, claims each in Table storage, GETs and captures the payment,
/// completes the record and deletes the message;</item>
/// <item>the processor as the Functions host drives it in Azure: C concurrent host invocations (the queue-trigger payload)
/// POSTed to <c>/ProcessConnectEventQueue</c> over loopback; the host owns the queue, so Azurite sees only the two Table
/// writes per event (claim, complete).</item>
/// </list>
/// Events/s runs from the first claim to the last completion in the records; latency is claim → completed per event. CPU
/// per event is split between this process (app + simulator + load generator) and Azurite, whose queue operations scan the
/// queue (see <c>load storageops</c>). Usage: <c>load processing [events=2000] [concurrency=16] [pump|invocations]</c>.
/// </summary>
public sealed class ProcessingLoadRun : ILoadRun
{
    private const string Merchant = "1234";

    /// <inheritdoc />
    public string Name => "processing";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var total = LoadArgs.Count(args, 0, 2_000);
        var concurrency = LoadArgs.Count(args, 1, 16);
        var only = args.Length > 2 ? args[2] : null; // "pump" or "invocations" runs one of the two
        if (only is not (null or "pump" or "invocations"))
        {
            throw new ArgumentException($"unknown part '{only}': give pump, invocations or nothing (both)", nameof(args));
        }

        Console.WriteLine($"processing load: {total} payment.pending_capture events, concurrency {concurrency}, Azurite and simulator on 127.0.0.1");

        await using var azurite = await AzuriteInstance.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync();
        // Captures are counted from the simulator's payments; its request log would only grow and cost the measured process.
        simulator.State.RecordRequests = false;
        var storage = StorageClients.FromConnectionString(azurite.ConnectionString);
        var run = Guid.NewGuid().ToString("N")[..8];

        // A fresh Azurite (node) needs a few thousand requests before its table path runs at its settled rate.
        await TableInsertLoadRun.MeasureRawInsertsAsync(storage.Table("raw" + run + "w"), total, concurrency, "raw Table AddEntity (Azurite warm-up, not counted)");
        var rawCpu = azurite.ProcessorTime;
        var rawBefore = await TableInsertLoadRun.MeasureRawInsertsAsync(storage.Table("raw" + run + "a"), total, concurrency, "raw Table AddEntity (before)");
        rawCpu = azurite.ProcessorTime - rawCpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw Table AddEntity (before): Azurite cpu {rawCpu.TotalMicroseconds / total:F0} us per insert"));
        var warmUp = Math.Max(20, Math.Min(300, total / 10));
        LoadResult? pipeline = null, invoked = null;
        if (only is null or "pump")
        {
            await RunPipelineAsync(azurite, storage, simulator, $"{run}w", warmUp, concurrency, "pipeline (warm-up)");
            pipeline = await RunPipelineAsync(azurite, storage, simulator, $"{run}m", total, concurrency, "pipeline");
        }

        if (only is null or "invocations")
        {
            // As many warm-up events as measured ones: with a few hundred, the JIT was still busy promoting the app's, the
            // SDK's and ASP.NET Core's methods to optimised code during the measurement (10-28 % of all CPU samples in `perf`).
            await RunInvocationsAsync(azurite, storage, simulator, $"{run}x", total, concurrency, "invocations (warm-up)");
            invoked = await RunInvocationsAsync(azurite, storage, simulator, $"{run}i", total, concurrency, "invocations");
        }

        var rawAfter = await TableInsertLoadRun.MeasureRawInsertsAsync(storage.Table("raw" + run + "b"), total, concurrency, "raw Table AddEntity (after)");

        var raw = (rawBefore.PerSecond + rawAfter.PerSecond) / 2;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"raw Table insert {raw:F0}/s (mean of before {rawBefore.PerSecond:F0} and after {rawAfter.PerSecond:F0}), concurrency {concurrency}:"));
        if (pipeline is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  standalone pipeline (Azurite queue + Table) {pipeline.PerSecond:F0} events/s (claim->completed p50 {pipeline.P50Ms:F1} ms, p99 {pipeline.P99Ms:F1} ms): pipeline/raw = {pipeline.PerSecond / raw:P1} (goal >= 40 %)"));
        }

        if (invoked is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  host invocations (Table only)               {invoked.PerSecond:F0} events/s (claim->completed p50 {invoked.P50Ms:F1} ms, p99 {invoked.P99Ms:F1} ms): invoked/raw = {invoked.PerSecond / raw:P1}"));
        }
    }

    /// <summary>Enqueues <paramref name="count"/> events, starts an app with the pump on them, waits for all, reads the figures from the records.</summary>
    private static async Task<LoadResult> RunPipelineAsync(AzuriteInstance azurite, StorageClients storage, SimulatorHost simulator, string tag, int count, int concurrency, string label)
    {
        var queueName = "load-" + tag;
        var eventsTable = "pe" + tag;
        var paymentIds = Enumerable.Range(0, count).Select(i => $"pay-{tag}-{i:D6}").ToArray();
        foreach (var paymentId in paymentIds)
        {
            simulator.State.SeedPayment(Merchant, paymentId);
        }

        // Exactly what the webhook does after verification: the raw event bytes through the Storage queue publisher (base64 on the wire).
        var publisher = new StorageQueueEventPublisher(storage.Queue(queueName));
        var enqueuedAt = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await LoadStats.RunAsync($"{label}: enqueue (not part of the figure)", count, concurrency, async i =>
        {
            var eventId = Guid.NewGuid().ToString();
            var body = SampleEvents.Build("payment.pending_capture", Merchant, paymentIds[i], eventId);
            var metadata = new EventMetadata(eventId, "payment.pending_capture", Merchant, "payment", paymentIds[i], "v1", LoadFunctionApp.KeyId, DateTimeOffset.UtcNow);
            await publisher.PublishAsync(new EventMessage(body, metadata), CancellationToken.None);
            enqueuedAt[eventId] = DateTimeOffset.UtcNow;
        });
        if (enqueuedAt.Count != count)
        {
            throw new InvalidOperationException($"{label}: only {enqueuedAt.Count} of {count} events were enqueued.");
        }

        var settings = AppSettings(simulator, tag, queueName, eventsTable, pump: true, concurrency);
        var wall = Stopwatch.StartNew();
        // CPU split while the pump runs: this process (app + simulator) and the Azurite node process.
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var azuriteCpu = azurite.ProcessorTime;
        using (var app = new LoadFunctionApp(azurite.ConnectionString, settings))
        {
            var pump = app.Services.GetRequiredService<QueuePump>();
            var deadline = TimeSpan.FromSeconds(Math.Max(120, count / 10.0));
            while (pump.Completed < count && wall.Elapsed < deadline)
            {
                await Task.Delay(10);
            }

            wall.Stop();
            ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpu;
            azuriteCpu = azurite.ProcessorTime - azuriteCpu;
            if (pump.Completed < count)
            {
                Console.WriteLine($"{label}: only {pump.Completed} of {count} messages completed within {deadline}; figures cover those.");
            }
        }

        return await SummarizeAsync(storage, simulator, tag, eventsTable, count, label, enqueuedAt, $"app start -> all deleted {wall.Elapsed.TotalSeconds:F2} s", wall.Elapsed, ownCpu, azuriteCpu);
    }

    /// <summary>
    /// Seeds <paramref name="count"/> payments, starts an app with the pump off and POSTs one queue-trigger invocation per
    /// event to <c>/ProcessConnectEventQueue</c> with <paramref name="concurrency"/> workers, as the Functions host would.
    /// </summary>
    private static async Task<LoadResult> RunInvocationsAsync(AzuriteInstance azurite, StorageClients storage, SimulatorHost simulator, string tag, int count, int concurrency, string label)
    {
        var eventsTable = "pe" + tag;
        var paymentIds = Enumerable.Range(0, count).Select(i => $"pay-{tag}-{i:D6}").ToArray();
        foreach (var paymentId in paymentIds)
        {
            simulator.State.SeedPayment(Merchant, paymentId);
        }

        var payloads = paymentIds.Select((paymentId, i) => TriggerInvocation.BuildQueuePayload(
            SampleEvents.Build("payment.pending_capture", Merchant, paymentId, Guid.NewGuid().ToString()), 1, $"msg-{tag}-{i}", DateTimeOffset.UtcNow)).ToArray();
        var settings = AppSettings(simulator, tag, "load-" + tag, eventsTable, pump: false, concurrency);
        using var app = new LoadFunctionApp(azurite.ConnectionString, settings);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(concurrency, 16) }) { BaseAddress = new Uri(app.ServerUrl) };
        var wall = Stopwatch.StartNew();
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var azuriteCpu = azurite.ProcessorTime;
        await LoadStats.RunAsync($"{label}: host invocations", count, concurrency, async i =>
        {
            using var content = new ByteArrayContent(payloads[i]);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri("ProcessConnectEventQueue", UriKind.Relative), content);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"invocation answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        });
        wall.Stop();
        ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpu;
        azuriteCpu = azurite.ProcessorTime - azuriteCpu;
        return await SummarizeAsync(storage, simulator, tag, eventsTable, count, label, null, $"all invocations answered in {wall.Elapsed.TotalSeconds:F2} s", wall.Elapsed, ownCpu, azuriteCpu);
    }

    private static Dictionary<string, string?> AppSettings(SimulatorHost simulator, string tag, string queueName, string eventsTable, bool pump, int concurrency) => new()
    {
        ["Events:QueueName"] = queueName,
        ["Webhooks:QuarantineContainer"] = "quarantine-" + tag,
        ["Processing:Pump:Enabled"] = pump ? "true" : "false",
        ["Processing:Pump:Concurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
        ["Processing:Pump:PollInterval"] = "00:00:00.020",
        ["Processing:Pump:VisibilityTimeout"] = "00:01:00",
        ["Processing:Pump:RetryDelay"] = "00:00:00.200",
        ["Processing:Store:TableName"] = eventsTable,
        ["TokenVault:TableName"] = "tv" + tag,
        ["Connect:Endpoint"] = simulator.BaseAddress.ToString(),
        ["Connect:ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
        ["Connect:SecretApiKey"] = SimulatorHost.DefaultSecretApiKey,
        ["Connect:LogRequests"] = "false",
    };

    /// <summary>Reads the figures from the processed-event records and the simulator's log, prints them with the CPU split, and returns them.</summary>
    private static async Task<LoadResult> SummarizeAsync(StorageClients storage, SimulatorHost simulator, string tag, string eventsTable, int count, string label,
        ConcurrentDictionary<string, DateTimeOffset>? enqueuedAt, string wallNote, TimeSpan wall, TimeSpan ownCpu, TimeSpan azuriteCpu)
    {
        var claimToCompleted = new List<double>(count);
        var enqueueToCompleted = new List<double>(count);
        DateTimeOffset? first = null, last = null;
        var states = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var entity in storage.Table(eventsTable).QueryAsync<TableEntity>(select: ["EventId", "State", "FirstSeenAt", "CompletedAt"]))
        {
            var state = entity.GetString("State") ?? "?";
            states[state] = states.GetValueOrDefault(state) + 1;
            if (state != nameof(ProcessingState.Completed) || entity.GetDateTimeOffset("FirstSeenAt") is not { } seen || entity.GetDateTimeOffset("CompletedAt") is not { } done)
            {
                continue;
            }

            first = first is null || seen < first ? seen : first;
            last = last is null || done > last ? done : last;
            claimToCompleted.Add((done - seen).TotalMilliseconds);
            if (entity.GetString("EventId") is { } id && enqueuedAt is not null && enqueuedAt.TryGetValue(id, out var enqueued))
            {
                enqueueToCompleted.Add((done - enqueued).TotalMilliseconds);
            }
        }

        var completed = claimToCompleted.Count;
        var captures = Enumerable.Range(0, count).Sum(i => simulator.State.CountCaptures(Merchant, $"pay-{tag}-{i:D6}"));
        var span = first is { } f && last is { } l ? l - f : TimeSpan.Zero;
        var perSecond = span > TimeSpan.Zero ? completed / span.TotalSeconds : 0;
        claimToCompleted.Sort();
        enqueueToCompleted.Sort();
        var result = new LoadResult($"{label}: claim->completed", count, count - completed, perSecond, LoadStats.Percentile(claimToCompleted, 0.50), LoadStats.Percentile(claimToCompleted, 0.99));
        Console.WriteLine(result);
        var backlog = enqueuedAt is null ? string.Empty : string.Create(CultureInfo.InvariantCulture,
            $"; enqueue->completed (includes the backlog wait) p50 {LoadStats.Percentile(enqueueToCompleted, 0.50):F0} ms p99 {LoadStats.Percentile(enqueueToCompleted, 0.99):F0} ms");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: records {string.Join(", ", states.Select(s => $"{s.Key}={s.Value}"))}; captures performed by the simulator {captures}; first claim -> last completion {span.TotalSeconds:F2} s; {wallNote}{backlog}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: cpu per event: app + simulator {ownCpu.TotalMicroseconds / Math.Max(1, completed):F0} us, Azurite {azuriteCpu.TotalMicroseconds / Math.Max(1, completed):F0} us; " +
            $"busy over the run: app + simulator {ownCpu / wall:P0} of one core, Azurite {azuriteCpu / wall:P0} of one core ({Environment.ProcessorCount} cores)"));
        return result;
    }
}
