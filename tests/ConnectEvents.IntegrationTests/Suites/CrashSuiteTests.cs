using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// Crash suite ("nothing acknowledged is lost"): two processing processes (tests/ConnectEvents.CrashHarness, the queue
/// trigger's semantics with a short visibility) kill themselves with SIGKILL at random points of processing (before the
/// claim, after the GET, after Connect captured, before the outcome is written) on every delivery including the last, and
/// are killed from outside at random times, while every event is on the queue two or three times. Each is restarted until
/// every event is settled. Then every payment was captured at most once (once when its event completed), and every event
/// is Completed or has its message in the poison queue, from which it can be replayed: none is lost.
/// </summary>
public sealed class CrashSuiteTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Merchant = "1234";
    private const int PaymentCount = 30;
    private const int Processes = 2;
    private const int MaxDequeueCount = 3;
    private const int Seed = 20261201;
    // An event whose last delivery is killed is now re-driven (up to Processing__MaxRedrives times) rather than settled in
    // poison at once, so a run takes longer: ~55 s alone, more beside the other test classes.
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task ProcessesKilledAtRandomPointsCaptureEveryPaymentOnceAndLoseNoEvent()
    {
        Assert.True(File.Exists(CrashHarness.Dll), $"build the solution first: {CrashHarness.Dll} is missing");
        await using var simulator = await SimulatorHost.StartAsync();
        var queueName = AzuriteFixture.UniqueName("crash");
        var eventsTable = "pe" + Guid.NewGuid().ToString("N")[..16];
        var encoding = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var queue = new QueueClient(azurite.ConnectionString, queueName, encoding);
        var poison = new QueueClient(azurite.ConnectionString, queueName + "-poison", encoding);
        await queue.CreateAsync();
        await poison.CreateAsync();

        // Every event two or three times, shuffled: duplicates are in flight together from the start.
        var random = new Random(Seed);
        var events = new Dictionary<string, string>(); // event id -> payment id
        var messages = new List<byte[]>();
        for (var i = 0; i < PaymentCount; i++)
        {
            var paymentId = $"pay-crash-{i:D3}";
            var eventId = $"evt-crash-{i:D3}-{Guid.NewGuid():N}";
            simulator.State.SeedPayment(Merchant, paymentId);
            events[eventId] = paymentId;
            var body = SampleEvents.Build("payment.pending_capture", Merchant, paymentId, eventId);
            messages.AddRange(Enumerable.Repeat(body, random.Next(2, 4)));
        }

        foreach (var body in messages.OrderBy(_ => random.Next()))
        {
            await queue.SendMessageAsync(BinaryData.FromBytes(body));
        }

        var settings = CrashHarness.Settings(azurite.ConnectionString, simulator, queueName, eventsTable);
        settings["Connect__RetryBaseDelay"] = "00:00:00.020";
        settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(CultureInfo.InvariantCulture);
        settings["Crash__Probability"] = "0.1";
        settings["Crash__VisibilityTimeout"] = "00:00:03";
        settings["Crash__Concurrency"] = "4";

        var store = new TableProcessedEventStore(new TableClient(azurite.ConnectionString, eventsTable), TimeProvider.System);
        var poisoned = new Dictionary<string, int>(); // event id -> poison messages
        var watch = Stopwatch.StartNew();
        var stats = new RunStats();
        await using (var fleet = new HarnessFleet(settings, Processes, Seed, stats))
        {
            using var stop = new CancellationTokenSource();
            var supervising = fleet.RunAsync(stop.Token);
            var killing = fleet.KillAtRandomAsync(new Random(Seed + 1), stop.Token);
            var settled = false;
            while (!settled && watch.Elapsed < RunDeadline && !supervising.IsCompleted)
            {
                await Task.Delay(500);
                await ReadPoisonAsync(poison, poisoned);
                settled = await QueueEmptyAsync(queue) && await AllSettledAsync(store, events.Keys, poisoned);
            }

            await stop.CancelAsync();
            await Task.WhenAll(supervising, killing).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(settled, $"not settled within {RunDeadline.TotalSeconds:F0} s; {stats.Report()}\n{fleet.Failure ?? fleet.LastOutput}");
        }

        watch.Stop();
        await ReadPoisonAsync(poison, poisoned);

        var states = new Dictionary<string, ProcessingState?>();
        foreach (var eventId in events.Keys)
        {
            states[eventId] = (await store.GetAsync(eventId, CancellationToken.None))?.State;
        }

        var captures = events.ToDictionary(e => e.Key, e => simulator.State.CountCaptures(Merchant, e.Value));
        var completed = states.Count(s => s.Value == ProcessingState.Completed);
        var failed = states.Count(s => s.Value == ProcessingState.Failed);
        var deadLettered = states.Count(s => s.Value == ProcessingState.DeadLettered);
        var poisonReplayable = events.Keys.Count(id => states[id] != ProcessingState.Completed && poisoned.ContainsKey(id));
        var lost = events.Keys.Where(id => states[id] != ProcessingState.Completed && !poisoned.ContainsKey(id)).ToList();
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{events.Count} events, {messages.Count} copies, {Processes} processes, p = 0.1 per point, maxDequeueCount {MaxDequeueCount}")
            .AppendLine(stats.Report())
            .AppendLine(CultureInfo.InvariantCulture, $"records: completed {completed}, failed {failed}, dead-lettered {deadLettered}, other {events.Count - completed - failed - deadLettered} ({string.Join(", ", states.Values.Where(s => s is not (ProcessingState.Completed or ProcessingState.Failed or ProcessingState.DeadLettered)).GroupBy(s => s?.ToString() ?? "none").Select(g => $"{g.Key} {g.Count()}"))})")
            .AppendLine(CultureInfo.InvariantCulture, $"poison: {poisoned.Values.Sum()} messages of {poisoned.Count} events; not completed but replayable from poison: {poisonReplayable}")
            .AppendLine(CultureInfo.InvariantCulture, $"captures: {captures.Values.Count(c => c == 1)} payments once, {captures.Values.Count(c => c == 0)} never, {captures.Values.Count(c => c > 1)} more than once")
            .AppendLine(CultureInfo.InvariantCulture, $"lost = {lost.Count}; run {watch.Elapsed.TotalSeconds:F1} s")
            .ToString();
        SuiteFigures.Print(output, "crash", report);

        Assert.True(stats.Kills > 0, "nothing was killed: the suite proved nothing\n" + report);
        var capturedTwice = captures.Where(c => c.Value > 1).Select(c => $"{events[c.Key]} ({c.Value})").ToList();
        Assert.True(capturedTwice.Count == 0, $"payments captured more than once: {string.Join(", ", capturedTwice)}\n{report}");
        var completedUncaptured = states.Where(s => s.Value == ProcessingState.Completed && captures[s.Key] != 1).Select(s => events[s.Key]).ToList();
        Assert.True(completedUncaptured.Count == 0, $"events completed but their payment not captured: {string.Join(", ", completedUncaptured)}\n{report}");
        var deadNotReplayable = states.Where(s => s.Value == ProcessingState.DeadLettered && !poisoned.ContainsKey(s.Key)).Select(s => s.Key).ToList();
        Assert.True(deadNotReplayable.Count == 0, $"dead-lettered with no poison message holding them (not replayable): {string.Join(", ", deadNotReplayable)}\n{report}");
        Assert.True(lost.Count == 0, $"lost (neither completed nor in the poison queue): {string.Join(", ", lost.Select(id => $"{id} ({states[id]?.ToString() ?? "no record"})"))}\n{report}");
    }

    // Reads every poison message once (hidden for longer than the test runs, never deleted: they stay replayable).
    private static async Task ReadPoisonAsync(QueueClient poison, Dictionary<string, int> poisoned)
    {
        for (var batch = 0; batch < 100; batch++)
        {
            var received = (await poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10))).Value;
            foreach (var message in received)
            {
                using var json = JsonDocument.Parse(message.Body.ToMemory());
                var id = json.RootElement.GetProperty("id").GetString()!;
                poisoned[id] = poisoned.GetValueOrDefault(id) + 1;
            }

            if (received.Length < 32)
            {
                return;
            }
        }
    }

    // Visible, hidden (in flight or deferred) messages all count.
    private static async Task<bool> QueueEmptyAsync(QueueClient queue) => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0;

    private static async Task<bool> AllSettledAsync(TableProcessedEventStore store, IEnumerable<string> eventIds, Dictionary<string, int> poisoned)
    {
        foreach (var eventId in eventIds)
        {
            if (poisoned.ContainsKey(eventId))
            {
                continue;
            }

            var state = (await store.GetAsync(eventId, CancellationToken.None))?.State;
            if (state is not (ProcessingState.Completed or ProcessingState.Failed or ProcessingState.DeadLettered))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What the harness processes printed, counted.</summary>
    private sealed class RunStats
    {
        private readonly ConcurrentDictionary<string, int> _counts = new();

        public int Kills => _counts.Where(c => c.Key.StartsWith("crash ", StringComparison.Ordinal)).Sum(c => c.Value) + Count("external");

        public int Count(string key) => _counts.GetValueOrDefault(key);

        public void Add(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

        // Lines: "crash <point> <delivery>", "delivery <id> <n>", "done <id> ok|retry|poisoned|expired".
        public void Parse(string line)
        {
            var parts = line.Split(' ');
            switch (parts)
            {
                case ["crash", var point, var delivery]:
                    Add("crash " + point);
                    if (int.TryParse(delivery, CultureInfo.InvariantCulture, out var n) && n >= MaxDequeueCount)
                    {
                        Add("crash-on-last");
                    }

                    break;
                case ["delivery", _, _]:
                    Add("deliveries");
                    break;
                case ["done", _, var how]:
                    Add("done " + how);
                    break;
            }
        }

        public string Report()
        {
            var points = string.Join(", ", _counts.Where(c => c.Key.StartsWith("crash ", StringComparison.Ordinal)).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key[6..]} {c.Value}"));
            return string.Create(CultureInfo.InvariantCulture,
                $"kills {Kills}: {points}, from outside {Count("external")}; {Count("crash-on-last")} self-kills on a last delivery; restarts {Count("restarts")}\n" +
                $"deliveries {Count("deliveries")}: ok {Count("done ok")}, retried {Count("done retry")}, poisoned {Count("done poisoned")}, poisoned after dying on the last delivery {Count("done expired")}");
        }
    }

    /// <summary>The harness processes: each slot restarted whenever its process dies, all killed on dispose.</summary>
    private sealed class HarnessFleet(Dictionary<string, string> settings, int slots, int seed, RunStats stats) : IAsyncDisposable
    {
        // SIGKILL, as seen by the parent.
        private const int KilledExitCode = 137;
        private readonly Process?[] _current = new Process?[slots];
        private readonly ConcurrentQueue<string> _tail = new();
        private int _starts;

        /// <summary>Set when a process ended other than by SIGKILL (a harness or configuration error).</summary>
        public string? Failure { get; private set; }

        public string LastOutput => string.Join('\n', _tail);

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, slots).Select(slot => SuperviseAsync(slot, stop)));

        public async Task KillAtRandomAsync(Random random, CancellationToken stop)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(random.Next(1500, 4000), stop);
                    if (Volatile.Read(ref _current[random.Next(slots)]) is { } process && Kill(process))
                    {
                        stats.Add("external");
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in _current.OfType<Process>())
            {
                Kill(process);
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }

        private async Task SuperviseAsync(int slot, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested && Failure is null)
            {
                var process = Start(seed + Interlocked.Increment(ref _starts));
                var previous = Interlocked.Exchange(ref _current[slot], process);
                previous?.Dispose();
                try
                {
                    await process.WaitForExitAsync(stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }

                await process.WaitForExitAsync(CancellationToken.None); // lets the last lines of its output arrive
                if (process.ExitCode != KilledExitCode)
                {
                    Failure = $"harness exited with {process.ExitCode}:\n{LastOutput}";
                    return;
                }

                stats.Add("restarts");
            }
        }

        private Process Start(int processSeed)
        {
            var psi = CrashHarness.StartInfo(settings);
            psi.Environment["Crash__Seed"] = processSeed.ToString(CultureInfo.InvariantCulture);
            var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the crash harness");
            process.OutputDataReceived += (_, e) => Received(e.Data);
            process.ErrorDataReceived += (_, e) => Received(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        private void Received(string? line)
        {
            if (line is null)
            {
                return;
            }

            stats.Parse(line);
            _tail.Enqueue(line);
            while (_tail.Count > 200 && _tail.TryDequeue(out _))
            {
            }
        }

        private static bool Kill(Process process)
        {
            try
            {
                if (process.HasExited)
                {
                    return false;
                }

                process.Kill(entireProcessTree: true); // SIGKILL
                return true;
            }
            catch (InvalidOperationException)
            {
                return false; // exited meanwhile, or disposed by its supervisor
            }
        }
    }
}
