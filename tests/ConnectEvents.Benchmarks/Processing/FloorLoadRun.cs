using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Azure.Storage.Queues;
using Connect.Simulator;
using ConnectEvents.Benchmarks.Infrastructure;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Storage;

namespace ConnectEvents.Benchmarks.Processing;

/// <summary>
/// Processing cost against its floor (issue 13 item 6). The Connect simulator runs once and each trial gets a fresh Azurite,
/// all on 127.0.0.1; per repeat, two consumer processes drain the same kind of queue one after the other (order alternating
/// between repeats):
/// <list type="bullet">
/// <item><b>app</b>: the built dev host (tools/ConnectEvents.DevHost) as its own process, its WebJobs queue listener running
/// <c>ProcessConnectEvent</c>; its <c>DevHost__ReportRuntime</c> route gives its allocated bytes;</item>
/// <item><b>bare</b>: <see cref="BareLoopWorker"/> as its own process, the same calls per event with plain SDK clients.</item>
/// </list>
/// Each consumer gets a fresh queue holding warm-up + measured payment.pending_capture events (one seeded PENDING_CAPTURE
/// payment each), filled before it starts, so it is never starved. The window opens once the warm-up count of payments
/// is captured at the simulator and closes once all are captured and the queue is empty (every outcome written, every
/// message deleted). Over the window, per process: CPU time (user + system of that process alone, /proc/&lt;pid&gt;/stat),
/// allocated bytes (<c>GC.GetTotalAllocatedBytes(true)</c> inside it), events/s, and Azurite's CPU (reported, not graded).
/// Both run with the listener's concurrency from host.json (batchSize, newBatchThreshold), the same GC mode (set in both
/// environments, checked in their reports) and default tiered compilation with dynamic PGO, as in production: the warm-up
/// (default 1,000 events) takes the JIT's tier-up out of the window instead of <c>DOTNET_TieredCompilation=0</c>, which
/// would measure code the app never runs in Azure (<c>--no-tiered</c> runs both that way instead). The app logs at
/// Warning by default, so console output is not measured (<c>--app-log-level Information</c> measures it).
/// A trial during which Azurite stopped answering a 250 ms probe is printed as left out, and its repeat is not in the medians.
/// <c>--tracing</c> compares the app with itself instead (issue 22): <b>app</b> untraced against <b>traced</b>, the same
/// dev host exporting every span (100 % sampling) over OTLP/HTTP to a loopback receiver; goal at most 5 % more CPU per event.
/// Usage: <c>load floor [--events 2000] [--warmup 1000] [--repeats 3] [--gc workstation|server] [--batch-size N]
/// [--new-batch-threshold N] [--app-log-level Warning] [--no-tiered] [--tracing [--no-azure-sdk-spans]]</c>; quick: <c>--events 300 --warmup 200 --repeats 1</c>.
/// </summary>
public sealed class FloorLoadRun : ILoadRun
{
    private const string Merchant = "1234";

    /// <inheritdoc />
    public string Name => "floor";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var options = FloorOptions.Parse(args);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"floor: {(options.Tracing ? "traced app (every span exported over OTLP) vs untraced app" : "app (dev host + WebJobs queue listener) vs bare loop (plain SDK clients)")}, {options.Events} measured events after {options.Warmup} warm-up, " +
            $"{options.Repeats} repeat(s); batchSize {options.BatchSize} newBatchThreshold {options.NewBatchThreshold}; gc {options.Gc}; " +
            $"tiered compilation {(options.NoTiered ? "off" : "on (default)")}; app log level {options.AppLogLevel}; " +
            $"{Environment.ProcessorCount} cores, load average {ProcStat.LoadAverage()}; Azurite and simulator on 127.0.0.1"));

        await using var simulator = await SimulatorHost.StartAsync();
        await using var otlp = options.Tracing ? await OtlpReceiver.StartAsync() : null;
        simulator.State.RecordRequests = false; // captures are counted from the payments; the log would only grow
        var run = new Run(options, simulator, otlp);
        var (left, right) = options.Tracing ? (Side.App, Side.Traced) : (Side.App, Side.Bare);
        var trials = new List<Trial>();
        for (var repeat = 1; repeat <= options.Repeats; repeat++)
        {
            Side[] order = repeat % 2 == 1 ? [left, right] : [right, left];
            foreach (var side in order)
            {
                var trial = await run.TrialAsync(side, repeat);
                Console.WriteLine(trial);
                trials.Add(trial);
            }
        }

        Console.WriteLine();
        Summary.Print(trials, options.Tracing ? Side.App : Side.Bare, options.Tracing ? Side.Traced : Side.App, options.Tracing ? (1.05, null) : (1.3, 2.5));
        if (otlp is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the OTLP receiver got {otlp.Spans.Count} spans in {otlp.Requests} export requests"));
        }

        Console.WriteLine($"load average at the end {ProcStat.LoadAverage()}");
    }

    /// <summary>Which consumer a trial measures.</summary>
    private enum Side
    {
        /// <summary>The dev host's queue listener.</summary>
        App,

        /// <summary>The bare loop.</summary>
        Bare,

        /// <summary>The dev host again, every span exported over OTLP.</summary>
        Traced,
    }

    /// <summary>What <c>load floor</c> was asked for.</summary>
    private sealed record FloorOptions(int Events, int Warmup, int Repeats, string Gc, int BatchSize, int NewBatchThreshold, string AppLogLevel, bool NoTiered, bool Tracing = false, bool AzureSdkSpans = true)
    {
        private const string Usage = "usage: load floor [--events 2000] [--warmup 1000] [--repeats 3] [--gc workstation|server] [--batch-size N] " +
            "[--new-batch-threshold N] [--app-log-level Warning] [--no-tiered] [--tracing [--no-azure-sdk-spans]] [--app-env NAME=VALUE ...]";

        /// <summary>Extra environment for the app's process only (<c>--app-env</c>), e.g. to profile it with EventPipe.</summary>
        public IReadOnlyDictionary<string, string> AppEnvironment { get; init; } = new Dictionary<string, string>();

        /// <summary>Reads the options; batch size and threshold default to host.json's.</summary>
        public static FloorOptions Parse(string[] args)
        {
            using var hostJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "host.json")));
            var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
            var options = new FloorOptions(2_000, 1_000, 3, "workstation", queues.GetProperty("batchSize").GetInt32(), queues.GetProperty("newBatchThreshold").GetInt32(), "Warning", false);
            for (var i = 0; i < args.Length; i++)
            {
                int Number() => i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw new ArgumentException($"{args[i - 1]} needs a positive whole number; {Usage}", nameof(args));
                string Text() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; {Usage}", nameof(args));
                options = args[i] switch
                {
                    "--events" => options with { Events = Number() },
                    "--warmup" => options with { Warmup = Number() },
                    "--repeats" => options with { Repeats = Number() },
                    "--batch-size" => options with { BatchSize = Number() },
                    "--new-batch-threshold" => options with { NewBatchThreshold = Number() },
                    "--gc" => options with { Gc = Text() switch { "workstation" => "workstation", "server" => "server", _ => throw new ArgumentException($"--gc is workstation or server; {Usage}", nameof(args)) } },
                    "--app-log-level" => options with { AppLogLevel = Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(Text(), out var level) ? level.ToString() : throw new ArgumentException($"unknown log level; {Usage}", nameof(args)) },
                    "--no-tiered" => options with { NoTiered = true },
                    "--app-env" => options with { AppEnvironment = WithSetting(options.AppEnvironment, Text()) },
                    "--tracing" => options with { Tracing = true },
                    "--no-azure-sdk-spans" => options with { AzureSdkSpans = false },
                    _ => throw new ArgumentException($"unknown option {args[i]}; {Usage}", nameof(args)),
                };
            }

            return options;
        }

        private static Dictionary<string, string> WithSetting(IReadOnlyDictionary<string, string> settings, string setting)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--app-env takes NAME=VALUE; {Usage}", nameof(setting));
            }

            return new Dictionary<string, string>(settings) { [setting[..equals]] = setting[(equals + 1)..] };
        }

        /// <summary>The environment both consumers run with: same GC mode, same JIT mode.</summary>
        public Dictionary<string, string> RuntimeEnvironment()
        {
            var environment = new Dictionary<string, string> { ["DOTNET_gcServer"] = Gc == "server" ? "1" : "0" };
            if (NoTiered)
            {
                environment["DOTNET_TieredCompilation"] = "0";
            }

            return environment;
        }
    }

    /// <summary>The run's shared parts and one trial's steps.</summary>
    private sealed class Run(FloorOptions options, SimulatorHost simulator, OtlpReceiver? otlp)
    {
        /// <summary>
        /// Starts a fresh Azurite, fills a fresh queue, starts one consumer, measures the window after the warm-up, stops the
        /// consumer and Azurite. Each trial has its own Azurite: one instance's in-memory queue GC stalls every endpoint for
        /// minutes once about 10,000 messages have passed through it, which would measure Azurite instead of the consumer.
        /// A trial during which storage stopped answering is returned marked as such, so the summary leaves it out.
        /// </summary>
        public async Task<Trial> TrialAsync(Side side, int repeat)
        {
            await using var azurite = await AzuriteInstance.StartAsync();
            await using var watch = StorageWatch.Start(azurite.ConnectionString);
            try
            {
                var trial = await MeasureAsync(side, repeat, azurite);
                return watch.Stalled is { } stall ? Trial.Stalled(side, repeat, stall) : trial;
            }
            catch (Exception ex) when ((ex is InvalidOperationException or TimeoutException or Azure.RequestFailedException) && watch.Stalled is { } stall)
            {
                return Trial.Stalled(side, repeat, stall);
            }
        }

        private async Task<Trial> MeasureAsync(Side side, int repeat, AzuriteInstance azurite)
        {
            var storage = StorageClients.FromConnectionString(azurite.ConnectionString);
            var tag = string.Create(CultureInfo.InvariantCulture, $"{side switch { Side.App => 'a', Side.Traced => 't', _ => 'b' }}{repeat}{Guid.NewGuid():N}")[..12];
            var total = options.Warmup + options.Events;
            var paymentIds = Enumerable.Range(0, total).Select(i => string.Create(CultureInfo.InvariantCulture, $"pay-{tag}-{i:D6}")).ToArray();
            foreach (var paymentId in paymentIds)
            {
                simulator.State.SeedPayment(Merchant, paymentId);
            }

            // The SDK's default retries (not the webhook's short budget): a fill on a loaded machine must not lose events.
            var queue = storage.Queue("floor-" + tag, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            await queue.CreateIfNotExistsAsync();
            var bodies = paymentIds.Select(p => BinaryData.FromBytes(SampleEvents.Build("payment.pending_capture", Merchant, p))).ToArray();
            var filled = await LoadStats.RunAsync("fill", total, 16, i => queue.SendMessageAsync(bodies[i]), print: false);
            if (filled.Failures > 0)
            {
                throw new InvalidOperationException($"{filled.Failures} of {total} events could not be enqueued");
            }

            var deadline = Stopwatch.StartNew();
            var limit = TimeSpan.FromSeconds(60 + total / 10.0); // bounded: at least 10 events/s (a busy shared machine), or the trial stops
            var progress = new CaptureProgress(simulator.State, paymentIds);
            await using var consumer = side switch
            {
                Side.App => await AppConsumer.StartAsync(AppEnvironment(azurite, queue.Name, "floor" + tag, null)),
                Side.Traced => await AppConsumer.StartAsync(AppEnvironment(azurite, queue.Name, "floor" + tag, otlp)),
                _ => await BareConsumer.StartAsync(BareEnvironment(azurite, queue.Name, "floor" + tag)),
            };
            try
            {
                await progress.WaitForAsync(options.Warmup, deadline, limit);
                var start = await Marker.TakeAsync(consumer, azurite, progress);
                await progress.WaitForAsync(total, deadline, limit);
                while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
                {
                    Bound(deadline, limit, "the queue to empty");
                    await Task.Delay(20);
                }

                var end = await Marker.TakeAsync(consumer, azurite, progress);
                var wrong = progress.NotCapturedOnce();
                if (wrong > 0)
                {
                    throw new InvalidOperationException($"{side} r{repeat}: {wrong} payments were not captured exactly once");
                }

                return Trial.From(side, repeat, start, end);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                throw new InvalidOperationException($"{side} r{repeat} failed: {ex.Message}\n{consumer.Output}", ex);
            }
        }

        private Dictionary<string, string> AppEnvironment(AzuriteInstance azurite, string queue, string table, OtlpReceiver? traceTo)
        {
            var environment = DevHostProcess.BaseSettings(azurite.ConnectionString, "floor-key", "floor-secret");
            foreach (var (key, value) in traceTo?.Settings() ?? [])
            {
                environment[key] = value;
            }

            if (traceTo is not null)
            {
                environment["OTEL_BSP_SCHEDULE_DELAY"] = "5000"; // the exporter's default, as in Azure; tests send every 100 ms instead
                environment["Tracing__AzureSdk"] = options.AzureSdkSpans ? "true" : "false";
            }

            foreach (var (key, value) in new Dictionary<string, string>(options.RuntimeEnvironment())
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Events__QueueName"] = queue,
                ["AzureFunctionsJobHost__extensions__queues__batchSize"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
                ["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = options.NewBatchThreshold.ToString(CultureInfo.InvariantCulture),
                ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.100",
                ["Processing__Store__TableName"] = table,
                ["Processing__Tokenize__Enabled"] = "false",
                ["TokenVault__TableName"] = table + "tv",
                ["Webhooks__QuarantineContainer"] = "q" + table,
                ["Connect__Endpoint"] = simulator.BaseAddress.ToString(),
                ["Connect__ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
                ["Connect__SecretApiKey"] = SimulatorHost.DefaultSecretApiKey,
                ["Connect__LogRequests"] = "false",
                ["Logging__LogLevel__Default"] = options.AppLogLevel,
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = options.AppLogLevel,
                ["DevHost__ReportRuntime"] = "true",
            })
            {
                environment[key] = value;
            }

            foreach (var (key, value) in options.AppEnvironment)
            {
                environment[key] = value;
            }

            return environment;
        }

        private Dictionary<string, string> BareEnvironment(AzuriteInstance azurite, string queue, string table)
        {
            var environment = options.RuntimeEnvironment();
            foreach (var (key, value) in new Dictionary<string, string>
            {
                ["Storage"] = azurite.ConnectionString,
                ["Queue"] = queue,
                ["Table"] = table,
                ["ConnectEndpoint"] = simulator.BaseAddress.ToString(),
                ["ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
                ["SecretApiKey"] = SimulatorHost.DefaultSecretApiKey,
                ["BatchSize"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
                ["NewBatchThreshold"] = options.NewBatchThreshold.ToString(CultureInfo.InvariantCulture),
                ["MaxPollingMs"] = "100",
            })
            {
                environment[BareLoopWorker.SettingPrefix + key] = value;
            }

            return environment;
        }
    }

    /// <summary>Throws when a trial has run past its bound.</summary>
    private static void Bound(Stopwatch elapsed, TimeSpan limit, string waitingFor)
    {
        if (elapsed.Elapsed > limit)
        {
            throw new TimeoutException($"gave up after {limit.TotalSeconds:F0} s waiting for {waitingFor}");
        }
    }

    /// <summary>Counts the run's payments captured at the simulator (each at most once when all is well).</summary>
    private sealed class CaptureProgress(SimulatorState state, string[] paymentIds)
    {
        private int _done; // payments before this index are all captured: captures come roughly in queue order

        /// <summary>How many of the payments have at least one capture now.</summary>
        public int Captured()
        {
            while (_done < paymentIds.Length && state.CountCaptures(Merchant, paymentIds[_done]) > 0)
            {
                _done++;
            }

            var count = _done;
            for (var i = _done; i < paymentIds.Length; i++)
            {
                count += state.CountCaptures(Merchant, paymentIds[i]) > 0 ? 1 : 0;
            }

            return count;
        }

        /// <summary>Waits (polling every 10 ms) until <paramref name="count"/> payments are captured, within the trial's bound.</summary>
        public async Task WaitForAsync(int count, Stopwatch elapsed, TimeSpan limit)
        {
            while (Captured() < count)
            {
                Bound(elapsed, limit, $"{count} captures (have {Captured()})");
                await Task.Delay(10);
            }
        }

        /// <summary>Payments captured zero times or more than once.</summary>
        public int NotCapturedOnce() => paymentIds.Count(id => state.CountCaptures(Merchant, id) != 1);
    }

    /// <summary>One end of the measured window.</summary>
    private sealed record Marker(long Timestamp, int Captured, TimeSpan ProcessCpu, TimeSpan AzuriteCpu, RuntimeSnapshot Runtime)
    {
        /// <summary>Reads the counters in a fixed order: captures, CPU from /proc, Azurite's CPU, the process's own report.</summary>
        public static async Task<Marker> TakeAsync(IConsumer consumer, AzuriteInstance azurite, CaptureProgress progress)
        {
            var timestamp = Stopwatch.GetTimestamp();
            var captured = progress.Captured();
            var cpu = ProcStat.CpuTime(consumer.ProcessId);
            var azuriteCpu = azurite.ProcessorTime;
            return new Marker(timestamp, captured, cpu, azuriteCpu, await consumer.RuntimeAsync());
        }
    }

    /// <summary>What a consumer process says about itself (the dev host's route and the bare worker's report carry the same JSON).</summary>
    private sealed record RuntimeSnapshot(long AllocatedBytes, double CpuMs, bool GcServer, string GcLatencyMode, int Gen0, int Gen1, int Gen2)
    {
        /// <summary>Parses the JSON of <c>RuntimeReport.Snapshot</c>.</summary>
        public static RuntimeSnapshot Parse(string json) =>
            JsonSerializer.Deserialize<RuntimeSnapshot>(json, JsonSerializerOptions.Web) ?? throw new InvalidOperationException("empty runtime report");
    }

    /// <summary>The figures of one consumer over one window.</summary>
    private sealed record Trial(Side Side, int Repeat, int Events, double Seconds, double CpuUsPerEvent, double SelfCpuUsPerEvent, double BytesPerEvent,
        double AzuriteUsPerEvent, RuntimeSnapshot Runtime, int Gen0, int Gen1, int Gen2)
    {
        /// <summary>Why the trial's figures are left out (storage stopped answering during it), or null for a valid trial.</summary>
        public string? LeftOut { get; init; }

        /// <summary>Events per second over the window.</summary>
        public double PerSecond => Events / Seconds;

        /// <summary>A trial during which storage stopped answering: it has no figures.</summary>
        public static Trial Stalled(Side side, int repeat, string why) =>
            new(side, repeat, 0, 1, 0, 0, 0, 0, new RuntimeSnapshot(0, 0, false, "", 0, 0, 0), 0, 0, 0) { LeftOut = why };

        /// <summary>The differences between two markers.</summary>
        public static Trial From(Side side, int repeat, Marker start, Marker end)
        {
            var events = Math.Max(1, end.Captured - start.Captured);
            return new Trial(side, repeat, events, Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds,
                (end.ProcessCpu - start.ProcessCpu).TotalMicroseconds / events,
                (end.Runtime.CpuMs - start.Runtime.CpuMs) * 1000 / events,
                (double)(end.Runtime.AllocatedBytes - start.Runtime.AllocatedBytes) / events,
                (end.AzuriteCpu - start.AzuriteCpu).TotalMicroseconds / events,
                end.Runtime, end.Runtime.Gen0 - start.Runtime.Gen0, end.Runtime.Gen1 - start.Runtime.Gen1, end.Runtime.Gen2 - start.Runtime.Gen2);
        }

        /// <inheritdoc />
        public override string ToString() => LeftOut is { } why
            ? $"{Side.ToString().ToLowerInvariant(),-4} r{Repeat}: LEFT OUT of the medians: {why}"
            : string.Create(CultureInfo.InvariantCulture,
            $"{Side.ToString().ToLowerInvariant(),-4} r{Repeat}: {Events} events in {Seconds:F2} s = {PerSecond:F0}/s; cpu {CpuUsPerEvent:F0} us/event (/proc; self-reported {SelfCpuUsPerEvent:F0}); " +
            $"allocated {BytesPerEvent:F0} B/event; Azurite cpu {AzuriteUsPerEvent:F0} us/event; gc server={Runtime.GcServer} {Runtime.GcLatencyMode}, collections gen0 {Gen0} gen1 {Gen1} gen2 {Gen2}");
    }

    /// <summary>Medians, ranges and the app/bare ratios against the goals.</summary>
    private static class Summary
    {
        /// <summary>
        /// One row per figure: <paramref name="measured"/> against <paramref name="baseline"/> (app against the bare loop, or
        /// with --tracing the traced app against the untraced one), graded by <paramref name="goals"/>.
        /// </summary>
        public static void Print(List<Trial> trials, Side baseline, Side measured, (double Cpu, double? Allocated) goals)
        {
            // A repeat counts only when both of its trials are valid, so the paired ratios compare like with like.
            var valid = trials.GroupBy(t => t.Repeat).Where(g => g.All(t => t.LeftOut is null)).SelectMany(g => g).ToList();
            var leftOut = trials.Select(t => t.Repeat).Distinct().Count() - valid.Select(t => t.Repeat).Distinct().Count();
            if (leftOut > 0)
            {
                Console.WriteLine($"{leftOut} repeat(s) left out: storage stopped answering during one of their trials (see above)");
            }

            if (valid.Count == 0)
            {
                Console.WriteLine("no valid repeat: no figures");
                return;
            }

            var app = valid.Where(t => t.Side == measured).OrderBy(t => t.Repeat).ToList();
            var bare = valid.Where(t => t.Side == baseline).OrderBy(t => t.Repeat).ToList();
            if (app.Select(t => t.Runtime.GcServer).Concat(bare.Select(t => t.Runtime.GcServer)).Distinct().Count() > 1)
            {
                Console.WriteLine("WARNING: the two processes ran in different GC modes; the ratios below compare unlike things");
            }

            var (m, b) = (Name(measured), Name(baseline));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"figure (median [min-max] over " + app.Count + " repeats)",-44} {m,-26} {b,-26} {m + "/" + b + " (paired range)",-24} goal"));
            Row("cpu per event, us (user+system, /proc)", app, bare, t => t.CpuUsPerEvent, "F0", goals.Cpu);
            Row("allocated per event, bytes", app, bare, t => t.BytesPerEvent, "F0", goals.Allocated);
            Row("events per second", app, bare, t => t.PerSecond, "F0", null);
            Row("Azurite cpu per event, us (not graded)", app, bare, t => t.AzuriteUsPerEvent, "F0", null);
        }

        private static string Name(Side side) => side switch { Side.Bare => "bare loop", Side.Traced => "traced", _ => "app" };

        private static void Row(string label, List<Trial> app, List<Trial> bare, Func<Trial, double> figure, string format, double? goal)
        {
            var a = LoadStats.Median(app.Select(figure));
            var b = LoadStats.Median(bare.Select(figure));
            var paired = app.Zip(bare, (x, y) => figure(x) / figure(y)).ToList();
            var ratio = a / b;
            var verdict = goal is { } g ? (ratio <= g ? $"<= {g}x: meets" : $"<= {g}x: MISSES") : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label,-44} {Range(app.Select(figure), format),-26} {Range(bare.Select(figure), format),-26} {ratio:F2}x ({paired.Min():F2}-{paired.Max():F2}){"",-8} {verdict}"));
        }

        private static string Range(IEnumerable<double> values, string format)
        {
            var list = values.ToList();
            return $"{LoadStats.Median(list).ToString(format, CultureInfo.InvariantCulture)} [{list.Min().ToString(format, CultureInfo.InvariantCulture)}-{list.Max().ToString(format, CultureInfo.InvariantCulture)}]";
        }
    }

    /// <summary>
    /// Probes Azurite's queue endpoint every 250 ms with no retries while a trial runs, and remembers the first time it
    /// stopped answering (a probe failing or taking over 5 s: Azurite's queue GC blocks its one event loop for minutes).
    /// </summary>
    private sealed class StorageWatch : IAsyncDisposable
    {
        private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(5);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _probing;
        private string? _stalled;

        private StorageWatch(string connectionString)
        {
            var options = new QueueClientOptions();
            options.Retry.MaxRetries = 0;
            options.Retry.NetworkTimeout = StallAfter;
            _probing = ProbeAsync(new QueueServiceClient(connectionString, options));
        }

        /// <summary>Why storage counts as stalled during the trial so far, or null while it kept answering.</summary>
        public string? Stalled => Volatile.Read(ref _stalled);

        /// <summary>Starts probing.</summary>
        public static StorageWatch Start(string connectionString) => new(connectionString);

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _probing;
            _stop.Dispose();
        }

        private async Task ProbeAsync(QueueServiceClient service)
        {
            while (!_stop.IsCancellationRequested && Stalled is null)
            {
                var started = Stopwatch.GetTimestamp();
                string? failure = null;
                try
                {
                    await service.GetPropertiesAsync(_stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is Azure.RequestFailedException or TaskCanceledException or IOException)
                {
                    failure = ex.GetType().Name;
                }

                var took = Stopwatch.GetElapsedTime(started);
                if (failure is not null || took >= StallAfter)
                {
                    Volatile.Write(ref _stalled, string.Create(CultureInfo.InvariantCulture,
                        $"Azurite's queue endpoint did not answer a probe within {took.TotalSeconds:F1} s ({failure ?? "slow"})"));
                    return;
                }

                try
                {
                    await Task.Delay(250, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>A running consumer process.</summary>
    private interface IConsumer : IAsyncDisposable
    {
        /// <summary>Its operating-system process id.</summary>
        int ProcessId { get; }

        /// <summary>What it printed (for failure messages).</summary>
        string Output { get; }

        /// <summary>Its own counters now.</summary>
        Task<RuntimeSnapshot> RuntimeAsync();
    }

    /// <summary>The dev host process, read through its opt-in runtime route.</summary>
    private sealed class AppConsumer(DevHostProcess process) : IConsumer
    {
        private readonly HttpClient _http = new() { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        public int ProcessId => process.ProcessId;

        public string Output => process.Output;

        public static async Task<IConsumer> StartAsync(Dictionary<string, string> environment) => new AppConsumer(await DevHostProcess.StartAsync(environment));

        public async Task<RuntimeSnapshot> RuntimeAsync() => RuntimeSnapshot.Parse(await _http.GetStringAsync(new Uri("/_devhost/runtime", UriKind.Relative)));

        /// <summary>
        /// Asks the process to stop (SIGTERM) and gives it 15 s before the kill, so that an EventPipe trace it writes
        /// (<c>--app-env DOTNET_EnableEventPipe=1</c>) is completed with its rundown and can be read.
        /// </summary>
        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            try
            {
                using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.ProcessId.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
                if (term is not null)
                {
                    await term.WaitForExitAsync();
                    using var target = Process.GetProcessById(process.ProcessId);
                    using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                    await target.WaitForExitAsync(grace.Token);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                // Already gone, or it did not stop in time: the dispose below kills it.
            }

            await process.DisposeAsync();
        }
    }

    /// <summary>The bare-loop worker process (this executable in its hidden mode), driven over stdin and stdout.</summary>
    private sealed class BareConsumer : IConsumer
    {
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly System.Text.StringBuilder _errors = new();

        private BareConsumer(Process process) => _process = process;

        public int ProcessId => _process.Id;

        public string Output
        {
            get
            {
                lock (_errors)
                {
                    return _errors.ToString();
                }
            }
        }

        public static async Task<IConsumer> StartAsync(Dictionary<string, string> environment)
        {
            var consumer = new BareConsumer(BareLoopWorkerStart.Start(typeof(BareLoopWorker).Assembly.Location, environment));
            consumer._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    consumer._lines.Writer.TryWrite(line);
                }
            };
            consumer._process.ErrorDataReceived += (_, e) =>
            {
                lock (consumer._errors)
                {
                    consumer._errors.AppendLine(e.Data);
                }
            };
            consumer._process.BeginOutputReadLine();
            consumer._process.BeginErrorReadLine();
            try
            {
                await consumer.NextLineAsync(line => line == "ready");
            }
            catch
            {
                await consumer.DisposeAsync();
                throw;
            }

            return consumer;
        }

        public async Task<RuntimeSnapshot> RuntimeAsync()
        {
            await _process.StandardInput.WriteLineAsync("report");
            await _process.StandardInput.FlushAsync();
            var line = await NextLineAsync(l => l.StartsWith(BareLoopWorker.ReportPrefix, StringComparison.Ordinal));
            return RuntimeSnapshot.Parse(line[(line.IndexOf("runtime=", StringComparison.Ordinal) + "runtime=".Length)..]);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                try
                {
                    await _process.StandardInput.WriteLineAsync("stop");
                    await _process.StandardInput.FlushAsync();
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }

            _process.Dispose();
        }

        private async Task<string> NextLineAsync(Func<string, bool> wanted)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                try
                {
                    var line = await _lines.Reader.ReadAsync(timeout.Token);
                    if (wanted(line))
                    {
                        return line;
                    }
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"the bare-loop worker did not answer within 30 s (exited: {_process.HasExited})");
                }
            }
        }
    }
}
