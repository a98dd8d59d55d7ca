using System.Runtime.ExceptionServices;

namespace ConnectEvents.Messaging;

/// <summary>
/// The webhook's one publisher: puts the event on the processing queue and, when one is configured, on the Service Bus
/// topic, both at once, within one time budget. It completes only when every configured publish succeeded.
/// </summary>
/// <remarks>
/// <para>
/// A failure of either is a failure of the publish: the webhook answers 503 and Worldline redelivers. The transport that
/// did take the event then holds a copy and gets a second one on redelivery; the topic's duplicate detection (MessageId =
/// event id) and the processor's claim on the event id absorb them.
/// </para>
/// <para>
/// An event too large for one transport is quarantined (2xx, so Worldline stops), even if the other took it: redelivery
/// could never make it fit, and the quarantine keeps it for replay to the transport that refused it, while the copy the
/// other took stands. But when the other transport failed for a reason a retry may cure, that failure wins (503), so the
/// redelivery gets the event onto it before the event is quarantined.
/// </para>
/// </remarks>
public sealed class FanOutEventPublisher : IEventPublisher
{
    private readonly TimeSpan _budget;
    private readonly TimeProvider _time;
    private readonly Diagnostics.ConnectEventsMetrics? _metrics;

    /// <summary>Creates the publisher; <paramref name="topic"/> is null when no Service Bus connection is configured.</summary>
    public FanOutEventPublisher(IEventPublisher queue, IEventPublisher? topic, EventsOptions options, TimeProvider time, Diagnostics.ConnectEventsMetrics? metrics = null)
    {
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(options);
        Queue = queue ?? throw new ArgumentNullException(nameof(queue));
        Topic = topic;
        _budget = options.PublishTimeout;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>The processing queue's publisher (always published to).</summary>
    public IEventPublisher Queue { get; }

    /// <summary>The Service Bus topic's publisher, or null when topic publishing is off.</summary>
    public IEventPublisher? Topic { get; }

    /// <inheritdoc />
    /// <exception cref="EventPublishException">A transport failed or the budget ran out; the message names every failure.</exception>
    /// <exception cref="EventTooLargeException">The event does not fit a transport, and nothing else failed.</exception>
    /// <exception cref="EventRefusedException">A transport refused the event as invalid (or too large), and nothing else failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the request was aborted).</exception>
    public async Task PublishAsync(EventMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var budget = new CancellationTokenSource(_budget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        // Alone, the queue needs no hand-off to another thread: nothing waits to start beside it.
        var queue = Topic is null ? Queue.PublishAsync(message, linked.Token) : Run(Queue, message, linked.Token);
        var topic = Topic is null ? Task.CompletedTask : Run(Topic, message, linked.Token);
        // Each task's outcome is looked at below; WhenAll's exception would only be the first of them. The wait itself ends
        // with the budget: a transport that ignores cancellation (the Service Bus SDK opening an AMQP connection to a
        // namespace that accepts and never answers took twice the budget) must not hold the webhook's answer.
        var both = Task.WhenAll(queue, topic);
        await both.WaitAsync(linked.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!both.IsCompleted)
        {
            // Still running past the budget: its late failure is observed here, and its late success is only a copy that
            // the redelivery after our 503 duplicates, which the processor's claim and the topic's duplicate detection absorb.
            _ = both.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _metrics?.EventPublished(queue, Topic is null ? null : topic);
        if (queue.IsCompletedSuccessfully && topic.IsCompletedSuccessfully)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var failures = new List<(string Transport, Exception Failure)>(2);
        Collect(failures, "Storage queue", queue);
        Collect(failures, "Service Bus topic", topic);
        var unexpected = failures.Find(f => f.Failure is not (EventPublishException or EventRefusedException or OperationCanceledException));
        if (unexpected.Failure is not null)
        {
            ExceptionDispatchInfo.Throw(unexpected.Failure);
        }

        var retryable = failures.Where(f => f.Failure is not EventRefusedException).ToList();
        if (retryable.Count == 0)
        {
            var refusals = string.Join(" ", failures.Select(f => f.Failure.Message));
            throw failures.TrueForAll(f => f.Failure is EventTooLargeException)
                ? new EventTooLargeException(refusals, failures[0].Failure)
                : new EventRefusedException(refusals, failures[0].Failure);
        }

        var reasons = retryable.Select(f => f.Failure is OperationCanceledException
            ? $"The {f.Transport} publish did not finish within the {_budget.TotalSeconds:0.###} s budget (Events__PublishTimeout)."
            : f.Failure.Message);
        var inner = retryable.Count == 1 ? retryable[0].Failure : new AggregateException(retryable.Select(f => f.Failure));
        throw new EventPublishException(string.Join(" ", reasons), inner,
            isConfigurationError: retryable.Any(f => f.Failure is EventPublishException { IsConfigurationError: true }));
    }

    // Task.Run so that neither transport's synchronous start (building a message, a slow first connection) delays the other.
    private static Task Run(IEventPublisher publisher, EventMessage message, CancellationToken cancellationToken) =>
        Task.Run(() => publisher.PublishAsync(message, cancellationToken), CancellationToken.None);

    private static void Collect(List<(string, Exception)> failures, string transport, Task task)
    {
        if (task.IsFaulted)
        {
            failures.Add((transport, task.Exception!.InnerExceptions[0]));
        }
        else if (!task.IsCompletedSuccessfully)
        {
            // Cancelled by the budget, or still running when the budget ran out.
            failures.Add((transport, new OperationCanceledException($"The {transport} publish was cancelled.")));
        }
    }
}
