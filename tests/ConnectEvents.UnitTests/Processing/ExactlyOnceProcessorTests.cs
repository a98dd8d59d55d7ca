using Azure;
using ConnectEvents.Idempotence;
using ConnectEvents.Processing;
using ConnectEvents.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.UnitTests.Processing;

/// <summary>The exactly-once wrapper on its own, with a handler that is not Connect's and a key of another platform.</summary>
public sealed class ExactlyOnceProcessorTests
{
    private static readonly ClaimRequest Claim = new("v3:pay-1", "n-1", new EventClaimInfo("v3.notification", "m-1", "pay-1"));

    public static TheoryData<string, Func<Exception>, bool, ProcessingDisposition, ProcessingState, string> Throws => new()
    {
        // case, what the handler throws, last delivery → disposition, record state, outcome contains
        { "a bug is retried", () => new InvalidOperationException("bug"), false, ProcessingDisposition.Retry, ProcessingState.Processing, "" },
        { "a bug on the last delivery is dead-lettered", () => new InvalidOperationException("bug"), true, ProcessingDisposition.DeadLettered, ProcessingState.DeadLettered, "poisoned" },
        { "storage away is retried", () => new StoreUnavailableException("down"), false, ProcessingDisposition.Retry, ProcessingState.Processing, "" },
        { "storage refusing for good is recorded", () => new RequestFailedException(403, "denied"), false, ProcessingDisposition.Failed, ProcessingState.Failed, "storage-403" },
        { "a lost lease stops quietly", () => new LeaseLostException(), true, ProcessingDisposition.Skipped, ProcessingState.Processing, "" },
    };

    [Theory]
    [MemberData(nameof(Throws))]
    public async Task WhatTheHandlerThrowsDecidesTheDisposition(string @case, Func<Exception> failure, bool last, ProcessingDisposition disposition, ProcessingState state, string outcome)
    {
        var (processor, store) = Build();

        var result = await processor.RunAsync(Claim, "body", new Handler(_ => throw failure()), Message(last), CancellationToken.None);

        Assert.True(disposition == result.Disposition, $"{@case}: {result.Disposition} ({result.Summary})");
        Assert.Equal(state, store["v3:pay-1"]?.State);
        Assert.Contains(outcome, store["v3:pay-1"]?.Outcome ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCallersKeyIsClaimedAndASecondDeliveryIsSkipped()
    {
        var (processor, store) = Build();
        var runs = 0;
        var handler = new Handler(d =>
        {
            runs++;
            d.Notes.Add("looked it up");
            return "verified";
        });

        var first = await processor.RunAsync(Claim, "body", handler, Message(last: false), CancellationToken.None);
        var second = await processor.RunAsync(Claim, "body", handler, Message(last: false), CancellationToken.None);

        Assert.Equal((ProcessingDisposition.Completed, ProcessingDisposition.Skipped), (first.Disposition, second.Disposition));
        Assert.Equal(1, runs);
        var record = store["v3:pay-1"]!;
        Assert.Equal(("verified", "v3.notification"), (record.Outcome, record.EventType));
        Assert.Contains("looked it up", record.DetailJson, StringComparison.Ordinal);
        Assert.Null(store["n-1"]);
    }

    [Fact]
    public async Task TheCallersCancellationIsNotAFailure()
    {
        var (processor, store) = Build();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            processor.RunAsync(Claim, "body", new Handler(_ => throw new OperationCanceledException(cancelled.Token)), Message(last: true), cancelled.Token));

        Assert.Equal(ProcessingState.Processing, store["v3:pay-1"]?.State);
    }

    [Fact]
    public async Task TheLastDeliveryArmsASuccessorPastItsLeaseThatItsOutcomeCancels()
    {
        var (processor, store, queues, _) = Build4();

        await processor.RunAsync(Claim, "body", new Handler(_ => "verified"), Message(last: true), CancellationToken.None);
        await processor.RunAsync(Claim with { Key = "v3:pay-2" }, "body", new Handler(_ => throw new InvalidOperationException("bug")), Message(last: true), CancellationToken.None);
        await processor.RunAsync(Claim with { Key = "v3:pay-3" }, "body", new Handler(_ => "verified"), Message(last: false), CancellationToken.None);

        Assert.Empty(queues.Armed); // completed, dead-lettered: both cancelled theirs; an earlier delivery arms none
        Assert.Equal(2, queues.ArmedDelays.Count);
        Assert.All(queues.ArmedDelays, d => Assert.True(d > new ProcessingOptions().LeaseDuration, $"{d}"));
        Assert.Equal((1, 1, 0), (store["v3:pay-1"]!.RedriveCount, store["v3:pay-2"]!.RedriveCount, store["v3:pay-3"]!.RedriveCount));
    }

    [Fact]
    public async Task ALastDeliveryThatNeverReachesAnOutcomeLeavesItsSuccessorArmed()
    {
        var (processor, store, queues, _) = Build4();
        using var shutdown = new CancellationTokenSource();

        // A host shutting down cancels the invocation; a kill ends it the same way, without even this exception.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => processor.RunAsync(Claim, "body", new Handler(_ =>
        {
            shutdown.Cancel();
            throw new OperationCanceledException(shutdown.Token);
        }), Message(last: true), shutdown.Token));

        var armed = Assert.Single(queues.Armed);
        Assert.Equal("v3-notifications", armed.Queue);
        Assert.Equal(ProcessingState.Processing, store["v3:pay-1"]?.State);
    }

    [Fact]
    public async Task AnEventReDrivenAsOftenAsAllowedArmsNoFurtherSuccessor()
    {
        var (processor, store, queues, _) = Build4();
        store.Seed(new ProcessedEventRecord("v3:pay-1", ProcessingState.Processing, "a-killed-delivery", Start.AddMinutes(-1), 4, null, null, null, null, null, Start, null, new ETag("1"))
        {
            RedriveCount = new ProcessingOptions().MaxRedrives,
        });
        using var shutdown = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => processor.RunAsync(Claim, "body", new Handler(_ =>
        {
            shutdown.Cancel();
            throw new OperationCanceledException(shutdown.Token);
        }), Message(last: true), shutdown.Token));

        Assert.Empty(queues.Armed); // dies again: this time it waits in the poison queue
        Assert.Equal(new ProcessingOptions().MaxRedrives + 1, store["v3:pay-1"]!.RedriveCount);
    }

    [Fact]
    public async Task ADuplicateInFlightIsDeferredOntoTheQueueItCameFrom()
    {
        var (processor, store, queues, _) = Build4();
        store.Seed(new ProcessedEventRecord("v3:pay-1", ProcessingState.Processing, "another-delivery", Start.AddMinutes(5), 1, null, null, null, null, null, Start, null, new ETag("1")));

        var result = await processor.RunAsync(Claim, "body", new Handler(_ => "never"), Message(last: false), CancellationToken.None);

        Assert.Equal(ProcessingDisposition.Deferred, result.Disposition);
        Assert.Equal(["v3-notifications"], queues.DeferredTo);
    }

    [Fact]
    public async Task ARecurringKeysRoundThatBeganAfterADeliveryArrivedCoversItAndALaterDeliveryGetsARoundOfItsOwn()
    {
        var (processor, store, queues, time) = Build4();
        var rounds = new List<string?>();
        var status = "000.200.000";
        var handler = new Handler(d =>
        {
            rounds.Add(d.StatusBefore);
            d.StatusAfter = status;
            return "pending " + status;
        });

        // Arrived before the first round began: that round covers it.
        var arrived = time.GetUtcNow() - TimeSpan.FromSeconds(3);
        Assert.Equal(ProcessingDisposition.Completed, (await processor.RunAsync(Recurring(arrived), "n", handler, Message(false), CancellationToken.None)).Disposition);
        Assert.Equal(ProcessingDisposition.Skipped, (await processor.RunAsync(Recurring(arrived), "n", handler, Message(false), CancellationToken.None)).Disposition);

        // Arrived after it began, but the next round is not due for 5 s: deferred onto its own queue until then.
        time.Advance(TimeSpan.FromSeconds(2));
        var later = time.GetUtcNow();
        var early = await processor.RunAsync(Recurring(later), "n", handler, Message(false), CancellationToken.None);
        Assert.Equal(ProcessingDisposition.Deferred, early.Disposition);
        Assert.Equal(TimeSpan.FromSeconds(4), Assert.Single(queues.Deferred));
        Assert.Equal("v3-notifications", Assert.Single(queues.DeferredTo));

        // Once it is due, the delivery gets a round of its own, which starts from the status the last round ended with.
        time.Advance(TimeSpan.FromSeconds(4));
        status = "000.000.000";
        Assert.Equal(ProcessingDisposition.Completed, (await processor.RunAsync(Recurring(later), "n", handler, Message(false), CancellationToken.None)).Disposition);
        Assert.Equal([null, "000.200.000"], rounds);
        var record = store["v3:pay-1"]!;
        Assert.Equal(("pending 000.000.000", 2), (record.Outcome, record.Attempts));
    }

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ClaimRequest Recurring(DateTimeOffset arrivedAt) =>
        Claim with { Info = Claim.Info with { Recurrence = new ClaimRecurrence(arrivedAt, TimeSpan.FromSeconds(5)) } };

    private static TriggerMessage Message(bool last) => new("v3-notifications", "{}"u8.ToArray(), last ? 5 : 1, "m-1", last);

    private static (ExactlyOnceProcessor, InMemoryProcessedEventStore) Build()
    {
        var (processor, store, _, _) = Build4();
        return (processor, store);
    }

    private static (ExactlyOnceProcessor, InMemoryProcessedEventStore, RecordingSideQueues, FakeTimeProvider) Build4()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryProcessedEventStore(time);
        var queues = new RecordingSideQueues();
        var options = new ServiceCollection().AddOptions().BuildServiceProvider().GetRequiredService<IOptionsMonitor<ProcessingOptions>>();
        return (new ExactlyOnceProcessor(store, queues, queues, options, time, NullLogger<ExactlyOnceProcessor>.Instance), store, queues, time);
    }

    private sealed class Handler(Func<ProcessingDetail, string> act) : IProcessingHandler<string>
    {
        public Task<string> HandleAsync(string evt, ProcessingDetail detail, CancellationToken cancellationToken) => Task.FromResult(act(detail));
    }
}
