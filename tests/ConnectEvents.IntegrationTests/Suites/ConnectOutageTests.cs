using System.Diagnostics;
using System.Net;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Processing;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// Outages suite: Connect answers 503 to everything for 20 s while events arrive. The queue's delivery budget outlasts
/// the outage, so once Connect is back every event completes, each payment is captured once and nothing is poisoned.
/// </summary>
public sealed class ConnectOutageTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Suite = "outage: Connect 503";
    private const int Payments = 20;
    private const int MaxDequeueCount = 8;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    // 8 deliveries 5 s apart span 35 s: the 20 s outage leaves at least three deliveries after it ends.
    private static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ConnectAnswering503ForTwentySecondsCompletesEveryEventOnceItRecovers()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = VisibilityTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // One quick retry inside a delivery; the queue's redelivery carries the event across the outage.
            ["Connect:MaxRetries"] = "1",
        });
        var state = p.Simulator.State;
        var events = Enumerable.Range(1, Payments).Select(i => (Payment: $"pay-outage-{i:D2}", EventId: $"evt-outage-{i:D2}")).ToList();
        foreach (var (payment, _) in events)
        {
            state.SeedPayment(Pipeline.Merchant, payment);
        }

        var clock = Stopwatch.StartNew();
        state.InjectFault($"/v1/{Pipeline.Merchant}/", Fault.Status(503), times: 1_000_000);
        // Every fourth event is delivered twice, as Worldline does when our answer is late.
        var bodies = events.Select(e => SampleEvents.Build("payment.pending_capture", Pipeline.Merchant, e.Payment, e.EventId)).ToList();
        var posts = bodies.Concat(bodies.Where((_, i) => i % 4 == 0)).ToList();
        foreach (var body in posts)
        {
            using var response = await p.App.PostSignedAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var remaining = Outage - clock.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }

        var refusedDuringOutage = state.Requests.Count(r => r.ResponseStatus == 503);
        var capturedDuringOutage = events.Sum(e => state.CountCaptures(Pipeline.Merchant, e.Payment));
        state.ClearFaults();
        var recovered = clock.Elapsed;

        var records = new List<ProcessedEventRecord>();
        foreach (var (_, eventId) in events)
        {
            records.Add(await p.WaitForStateAsync(eventId, ProcessingState.Completed, RecoveryBound));
        }

        var allCompleted = clock.Elapsed;
        await p.WaitForQueueDrainedAsync(RecoveryBound);
        var poisoned = await p.PoisonCountAsync();
        var captures = events.ToDictionary(e => e.Payment, e => state.CountCaptures(Pipeline.Merchant, e.Payment));

        Print($"events {events.Count} (+{posts.Count - events.Count} duplicates posted), outage {Outage.TotalSeconds:F0} s, visibilityTimeout {VisibilityTimeout.TotalSeconds:F0} s, maxDequeueCount {MaxDequeueCount}");
        Print($"Connect calls answered 503 during the outage {refusedDuringOutage} (the client's circuit breaker fails the rest fast); captures during the outage {capturedDuringOutage}");
        Print($"deliveries (record Attempts; a duplicated event's two messages each count) total {records.Sum(r => r.Attempts)}, max per event {records.Max(r => r.Attempts)}");
        Print($"time to all completed: {allCompleted.TotalSeconds:F1} s after the first event, {(allCompleted - recovered).TotalSeconds:F1} s after Connect recovered");
        Print($"captures per payment: min {captures.Values.Min()}, max {captures.Values.Max()}; poison messages {poisoned}");

        // The outage was real: Connect refused calls and nothing was captured while it lasted.
        Assert.True(refusedDuringOutage > 0, "Connect was never called during the outage");
        Assert.Equal(0, capturedDuringOutage);
        Assert.All(records, r => Assert.Equal("captured", r.Outcome));
        Assert.All(captures, c => Assert.True(c.Value == 1, $"{c.Key} captured {c.Value} times"));
        Assert.Equal(0, poisoned);
    }

    private void Print(string line) => SuiteFigures.Print(output, Suite, line);
}
