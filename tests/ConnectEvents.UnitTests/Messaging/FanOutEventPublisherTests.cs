using Azure.Messaging.ServiceBus;
using ConnectEvents.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.UnitTests.Messaging;

/// <summary>The webhook's publisher: queue always, topic when configured, both at once, within one budget.</summary>
public sealed class FanOutEventPublisherTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly RecordingPublisher _queue = new();
    private readonly RecordingServiceBusSender _sender = new();

    public ValueTask DisposeAsync() => _sender.DisposeAsync();
    private readonly EventsOptions _options = new() { PublishTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task BothSucceedingIsSuccessWithOneCopyEach()
    {
        await FanOut().PublishAsync(Event(), CancellationToken.None);

        Assert.Single(_queue.Messages);
        Assert.Single(_sender.Sent);
    }

    [Fact]
    public async Task WithoutATopicOnlyTheQueueIsPublishedTo()
    {
        var publisher = new FanOutEventPublisher(_queue, null, _options, TimeProvider.System);

        await publisher.PublishAsync(Event(), CancellationToken.None);

        Assert.Single(_queue.Messages);
        Assert.Empty(_sender.Sent);
    }

    [Fact]
    public async Task QueueAndTopicArePublishedToAtTheSameTime()
    {
        // Each waits for the other to have started: a one-after-the-other publisher would never finish the first.
        var queueCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var topicCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.OnPublish = async ct =>
        {
            queueCalled.SetResult();
            await topicCalled.Task.WaitAsync(Wait, ct);
        };
        _sender.OnSend = async ct =>
        {
            topicCalled.SetResult();
            await queueCalled.Task.WaitAsync(Wait, ct);
        };

        await FanOut().PublishAsync(Event(), CancellationToken.None);

        Assert.Single(_queue.Messages);
        Assert.Single(_sender.Sent);
    }

    [Fact]
    public async Task QueueFailureFailsThePublishThoughTheTopicTookIt()
    {
        _queue.Fail = new EventPublishException("Storage queue 'q' did not accept the event: status 503 ServerBusy");

        var error = await Assert.ThrowsAsync<EventPublishException>(() => FanOut().PublishAsync(Event(), CancellationToken.None));

        Assert.Equal(_queue.Fail.Message, error.Message);
        Assert.Single(_sender.Sent);
    }

    [Fact]
    public async Task TopicFailureFailsThePublishThoughTheQueueTookIt()
    {
        _sender.Fail = new ServiceBusException("busy", ServiceBusFailureReason.ServiceBusy);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => FanOut().PublishAsync(Event(), CancellationToken.None));

        Assert.Contains("Service Bus topic 'connect-events'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ServiceBusy", error.Message, StringComparison.Ordinal);
        Assert.Single(_queue.Messages);
    }

    [Fact]
    public async Task BothFailuresAreNamedAndAConfigurationErrorInEitherIsKept()
    {
        _queue.Fail = new EventPublishException("Storage queue 'q' did not accept the event: status 503 ServerBusy");
        _sender.Fail = new UnauthorizedAccessException("no Send claim");

        var error = await Assert.ThrowsAsync<EventPublishException>(() => FanOut().PublishAsync(Event(), CancellationToken.None));

        Assert.Contains("Storage queue 'q'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Service Bus topic 'connect-events'", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsConfigurationError);
        Assert.Equal(2, Assert.IsType<AggregateException>(error.InnerException).InnerExceptions.Count);
    }

    [Fact]
    public async Task TransportStillBusyWhenTheBudgetRunsOutIsAPublishFailureNamingTheBudget()
    {
        var time = new FakeTimeProvider();
        var topicCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sender.OnSend = ct =>
        {
            topicCalled.SetResult();
            return Task.Delay(Timeout.Infinite, ct);
        };
        var publish = FanOut(time).PublishAsync(Event(), CancellationToken.None);
        await topicCalled.Task.WaitAsync(Wait);

        time.Advance(_options.PublishTimeout);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => publish.WaitAsync(Wait));
        Assert.Contains("Service Bus topic publish did not finish within the 5 s budget (Events__PublishTimeout)", error.Message, StringComparison.Ordinal);
        Assert.Single(_queue.Messages);
    }

    [Fact]
    public async Task ATransportIgnoringCancellationStillEndsThePublishWhenTheBudgetRunsOut()
    {
        var time = new FakeTimeProvider();
        var topicCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var neverEnds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // As the Service Bus SDK does while it opens an AMQP connection to a namespace that never answers.
        _sender.OnSend = _ =>
        {
            topicCalled.SetResult();
            return neverEnds.Task;
        };
        var publish = FanOut(time).PublishAsync(Event(), CancellationToken.None);
        await topicCalled.Task.WaitAsync(Wait);

        time.Advance(_options.PublishTimeout);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => publish.WaitAsync(Wait));
        Assert.Contains("Service Bus topic publish did not finish within the 5 s budget", error.Message, StringComparison.Ordinal);
        neverEnds.SetException(new InvalidOperationException("late")); // observed, not left to the finalizer
    }

    [Fact]
    public async Task CallerCancellationIsPassedOnAndNotReportedAsAPublishFailure()
    {
        _sender.OnSend = ct => Task.Delay(Timeout.Infinite, ct);
        using var cancel = new CancellationTokenSource();
        var publish = FanOut().PublishAsync(Event(), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish.WaitAsync(Wait));
    }

    [Fact]
    public async Task TooLargeForOneTransportIsTooLargeWhenNothingElseFailed()
    {
        _queue.Fail = new EventTooLargeException("too large for the queue");

        var error = await Assert.ThrowsAsync<EventTooLargeException>(() => FanOut().PublishAsync(Event(), CancellationToken.None));

        Assert.Contains("too large for the queue", error.Message, StringComparison.Ordinal);
        Assert.Single(_sender.Sent);
    }

    [Fact]
    public async Task TooLargeForOneButBrieflyFailingOnTheOtherIsRetriedFirst()
    {
        _queue.Fail = new EventTooLargeException("too large for the queue");
        _sender.Fail = new ServiceBusException("timeout", ServiceBusFailureReason.ServiceTimeout);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => FanOut().PublishAsync(Event(), CancellationToken.None));

        Assert.Contains("ServiceTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnexpectedExceptionIsNotSwallowed()
    {
        _queue.Fail = new InvalidOperationException("a bug");
        await Assert.ThrowsAsync<InvalidOperationException>(() => FanOut().PublishAsync(Event(), CancellationToken.None));
    }

    private FanOutEventPublisher FanOut(TimeProvider? time = null) =>
        new(_queue, new ServiceBusTopicPublisher(_sender, _options, NullLogger<ServiceBusTopicPublisher>.Instance), _options, time ?? TimeProvider.System);

    private static EventMessage Event() =>
        ServiceBusTopicPublisherTests.Event("{\"id\":\"evt-1\"}"u8.ToArray(), "payment", "pay-1", DateTimeOffset.UtcNow, "payment.paid");
}
