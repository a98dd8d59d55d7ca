using System.Diagnostics;
using System.Globalization;
using System.Net;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Processing;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// Faults suite, stalled Connect body: every event's first GET payment gets its headers and half its body, then nothing
/// for 30 s. The attempt gives up at Connect__AttemptTimeout, the GET is retried, and every payment is captured once.
/// </summary>
public sealed class StalledConnectBodyTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Suite = "faults: stalled Connect body";
    private const int Payments = 10;
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CompletionBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AGetPaymentWhoseBodyStallsIsGivenUpAtTheAttemptTimeoutRetriedAndCapturedOnce()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Connect:AttemptTimeout"] = AttemptTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["Connect:TotalTimeout"] = "00:00:06",
            ["Connect:MaxRetries"] = "2",
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:01",
        });
        var state = p.Simulator.State;
        var events = Enumerable.Range(1, Payments).Select(i => (Payment: $"pay-stall-{i:D2}", EventId: $"evt-stall-{i:D2}")).ToList();
        foreach (var (payment, _) in events)
        {
            state.SeedPayment(Pipeline.Merchant, payment);
            // The first request for the payment is the processor's GET: it stalls; the capture after it does not.
            state.InjectFault($"/payments/{payment}", Fault.StallBody(Stall), times: 1);
        }

        var clock = Stopwatch.StartNew();
        foreach (var (payment, eventId) in events)
        {
            using var response = await p.App.PostSignedAsync(SampleEvents.Build("payment.pending_capture", Pipeline.Merchant, payment, eventId));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var records = new List<ProcessedEventRecord>();
        foreach (var (_, eventId) in events)
        {
            records.Add(await p.WaitForStateAsync(eventId, ProcessingState.Completed, CompletionBound));
        }

        var allCompleted = clock.Elapsed;
        var stalled = state.Requests.Where(r => r.Fault?.StartsWith("body stalled", StringComparison.Ordinal) == true).ToList();
        // A stalled GET is recorded when the client gives up and the connection closes; its retry is the next GET.
        var gaveUpAfter = events.Select(e =>
        {
            var gets = state.Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/payments/" + e.Payment, StringComparison.Ordinal)).OrderBy(r => r.Time).ToList();
            return gets.Count >= 2 ? gets[1].Time - gets[0].Time : TimeSpan.MaxValue;
        }).ToList();
        var captures = events.ToDictionary(e => e.Payment, e => state.CountCaptures(Pipeline.Merchant, e.Payment));
        await p.WaitForQueueDrainedAsync(CompletionBound);
        var poisoned = await p.PoisonCountAsync();

        Print($"events {Payments}, body stall {Stall.TotalSeconds:F0} s, Connect__AttemptTimeout {AttemptTimeout.TotalSeconds:F0} s");
        Print($"stalled GETs {stalled.Count}; time from a stalled GET to its retry: median {Median(gaveUpAfter).TotalSeconds:F2} s, max {gaveUpAfter.Max().TotalSeconds:F2} s");
        Print($"deliveries total {records.Sum(r => r.Attempts)}, max per event {records.Max(r => r.Attempts)}; all completed {allCompleted.TotalSeconds:F1} s after the first event");
        Print($"captures per payment: min {captures.Values.Min()}, max {captures.Values.Max()}; events lost 0; poison messages {poisoned}");

        Assert.Equal(Payments, stalled.Count);
        // Given up long before the stall ends: the body read is inside the attempt's budget.
        Assert.All(gaveUpAfter, g => Assert.True(g < Stall, $"a stalled GET was retried only after {g}"));
        Assert.All(records, r => Assert.Equal("captured", r.Outcome));
        Assert.All(captures, c => Assert.True(c.Value == 1, $"{c.Key} captured {c.Value} times"));
        Assert.Equal(0, poisoned);
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    private void Print(string line) => SuiteFigures.Print(output, Suite, line);
}
