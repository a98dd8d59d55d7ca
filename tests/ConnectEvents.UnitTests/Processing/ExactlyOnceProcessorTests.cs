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

    private static TriggerMessage Message(bool last) => new("{}"u8.ToArray(), last ? 5 : 1, "m-1", last);

    private static (ExactlyOnceProcessor, InMemoryProcessedEventStore) Build()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryProcessedEventStore(time);
        var queues = new RecordingSideQueues();
        var options = new ServiceCollection().AddOptions().BuildServiceProvider().GetRequiredService<IOptionsMonitor<ProcessingOptions>>();
        return (new ExactlyOnceProcessor(store, queues, queues, options, time, NullLogger<ExactlyOnceProcessor>.Instance), store);
    }

    private sealed class Handler(Func<ProcessingDetail, string> act) : IProcessingHandler<string>
    {
        public Task<string> HandleAsync(string evt, ProcessingDetail detail, CancellationToken cancellationToken) => Task.FromResult(act(detail));
    }
}
