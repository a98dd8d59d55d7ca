using System.Diagnostics;
using System.Net;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Processing;
using ConnectEvents.UnitTests.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// Faults suite, Service Bus refusing: the dev host with the processor on Azurite and the simulator, its topic first a real
/// <see cref="ServiceBusClient"/> aimed at a namespace that refuses connections and then at one that accepts and never
/// answers, then a sender that refuses one message for itself and is busy for a while. The webhook answers 503 with
/// Retry-After inside <c>Events__PublishTimeout</c> (never a 500), a refused message is quarantined with 200, and every
/// payment is still captured exactly once from its queue copy.
/// </summary>
public sealed class ServiceBusOutageTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Suite = "faults: Service Bus refusing";
    private const int PerPhase = 4;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan CompletionBound = TimeSpan.FromSeconds(60);
    private static readonly string[] Payments = ["pay-sb-refused", "pay-sb-busy"];

    [Fact]
    public async Task AnUnreachableOrSilentNamespaceGets503InsideThePublishBudgetAndEveryPaymentIsCapturedOnce()
    {
        await using var silent = new HangingTcpProxy(FreePort.Next());
        silent.Hang();
        var refusedPort = FreePort.Next(); // handed out once and never bound: every connection is refused
        var phases = new[] { ("refused", refusedPort), ("silent", silent.Port) };
        var answers = new List<(string Phase, string EventId, HttpStatusCode Status, TimeSpan Took, TimeSpan? RetryAfter)>();
        var events = new List<(string Payment, string EventId)>();
        foreach (var (phase, port) in phases)
        {
            // One app per namespace: the client is the app's singleton, as in Azure.
            await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
            {
                // The emulator form of a connection string: plain AMQP to the given host and port, so the SDK's real
                // connection, retry and timeout code runs against loopback.
                ["ServiceBusConnection"] = $"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=not-a-real-key;UseDevelopmentEmulator=true",
                ["Events:PublishTimeout"] = "00:00:03",
                ["Events:PublishAttemptTimeout"] = "00:00:01",
            });
            var phaseEvents = Enumerable.Range(1, PerPhase).Select(i => (Payment: $"pay-sb-{phase}-{i}", EventId: $"evt-sb-{phase}-{i}")).ToList();
            foreach (var (payment, eventId) in phaseEvents)
            {
                p.Simulator.State.SeedPayment(Pipeline.Merchant, payment);
                var clock = Stopwatch.StartNew();
                using var response = await p.App.PostSignedAsync(SampleEvents.Build("payment.pending_capture", Pipeline.Merchant, payment, eventId));
                answers.Add((phase, eventId, response.StatusCode, clock.Elapsed, response.Headers.RetryAfter?.Delta));
                Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // The queue copy went out beside the failed topic send: the processor captures from it.
            foreach (var (payment, eventId) in phaseEvents)
            {
                var record = await p.WaitForStateAsync(eventId, ProcessingState.Completed, CompletionBound);
                Assert.Equal("captured", record.Outcome);
                Assert.Equal(1, p.Simulator.State.CountCaptures(Pipeline.Merchant, payment));
            }

            await p.WaitForQueueDrainedAsync(CompletionBound);
            Assert.Equal(0, await p.PoisonCountAsync());
            events.AddRange(phaseEvents);
        }

        foreach (var (phase, _) in phases)
        {
            var mine = answers.Where(a => a.Phase == phase).ToList();
            Print($"namespace {phase}: {mine.Count} events, answers {string.Join(", ", mine.GroupBy(a => (int)a.Status).Select(g => $"{g.Key}×{g.Count()}"))}; " +
                $"time to the answer median {Median(mine.Select(a => a.Took)).TotalSeconds:F2} s, max {mine.Max(a => a.Took).TotalSeconds:F2} s " +
                $"(Events__PublishTimeout {PublishTimeout.TotalSeconds:F0} s); Retry-After {mine[0].RetryAfter?.TotalSeconds:F0} s");
        }

        Print($"captured once from the queue copy: {events.Count} of {events.Count}; events lost 0; poison messages 0");
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
        Assert.All(answers, a => Assert.True(a.RetryAfter > TimeSpan.Zero, $"{a.EventId}: 503 without Retry-After"));
        // Given up inside the budget (plus the app's own scheduling slack), not after the SDK's default minute.
        Assert.All(answers, a => Assert.True(a.Took < PublishTimeout + TimeSpan.FromSeconds(2), $"{a.EventId} ({a.Phase}) answered after {a.Took}"));
    }

    [Fact]
    public async Task ARefusedMessageIsQuarantinedABusyTopicIsRedeliveredAndEachPaymentIsCapturedOnce()
    {
        await using var topic = new RecordingServiceBusSender();
        await using var p = await Pipeline.StartAsync(
            azurite,
            new Dictionary<string, string?> { ["ServiceBusConnection:fullyQualifiedNamespace"] = "sb-faults.servicebus.windows.net" },
            services => services.AddSingleton<ServiceBusSender>(topic));
        foreach (var payment in Payments)
        {
            p.Simulator.State.SeedPayment(Pipeline.Merchant, payment);
        }

        var refusedBody = SampleEvents.Build("payment.pending_capture", Pipeline.Merchant, "pay-sb-refused", "evt-sb-refused");
        var busyBody = SampleEvents.Build("payment.pending_capture", Pipeline.Merchant, "pay-sb-busy", "evt-sb-busy");

        topic.Fail = new ServiceBusException("too big", ServiceBusFailureReason.MessageSizeExceeded);
        using var refused = await p.App.PostSignedAsync(refusedBody);
        topic.Fail = new ServiceBusException("busy", ServiceBusFailureReason.ServiceBusy);
        using var busy = await p.App.PostSignedAsync(busyBody);
        var duringOutage = topic.Sent.Count;
        topic.Fail = null;
        // Worldline redelivers what got 503: the topic takes it now, and the processor's claim absorbs the second queue copy.
        using var redelivered = await p.App.PostSignedAsync(busyBody);

        var completed = new[]
        {
            await p.WaitForStateAsync("evt-sb-refused", ProcessingState.Completed, CompletionBound),
            await p.WaitForStateAsync("evt-sb-busy", ProcessingState.Completed, CompletionBound),
        };
        await p.WaitForQueueDrainedAsync(CompletionBound);
        var quarantined = new List<string>();
        await foreach (var blob in new BlobContainerClient(azurite.ConnectionString, p.App.QuarantineContainer).GetBlobsAsync())
        {
            quarantined.Add(blob.Name);
        }

        var captures = Payments.Select(pay => p.Simulator.State.CountCaptures(Pipeline.Merchant, pay)).ToList();
        var poisoned = await p.PoisonCountAsync();
        Print($"message refused (MessageSizeExceeded): answer {(int)refused.StatusCode}, quarantine entries {quarantined.Count}");
        Print($"topic busy: answer {(int)busy.StatusCode} Retry-After {busy.Headers.RetryAfter?.Delta?.TotalSeconds:F0} s; redelivery once back: {(int)redelivered.StatusCode}; topic messages {topic.Sent.Count} (during the outage {duringOutage})");
        Print($"captures per payment: {string.Join(", ", captures)}; events lost 0; poison messages {poisoned}");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Single(quarantined);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.True(busy.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        Assert.Equal(0, duringOutage);
        Assert.Equal("evt-sb-busy", Assert.Single(topic.Sent).MessageId);
        Assert.All(completed, r => Assert.Equal("captured", r.Outcome));
        Assert.All(captures, c => Assert.Equal(1, c));
        Assert.Equal(0, poisoned);
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private void Print(string line) => SuiteFigures.Print(output, Suite, line);
}
