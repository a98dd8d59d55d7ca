using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>
/// Standalone mode's stand-in for the Functions queue trigger: receives from the events queue with a visibility timeout,
/// dispatches each message through the same invocation payload the host would send, deletes it on success, makes it
/// visible again after a backoff on failure, and moves it to <c>{queue}-poison</c> after the last dequeue.
/// </summary>
public sealed partial class QueuePump : BackgroundService
{
    private readonly QueueClient _queue;
    private readonly QueueClient _poison;
    private readonly ProcessingInvocationHandler _handler;
    private readonly IOptionsMonitor<ProcessingOptions> _options;
    private readonly ILogger<QueuePump> _logger;

    /// <summary>Creates the pump over the configured events queue.</summary>
    public QueuePump(StorageClients storage, IOptions<EventsOptions> events, ProcessingInvocationHandler handler, IOptionsMonitor<ProcessingOptions> options, ILogger<QueuePump> logger)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(events);
        var name = events.Value.QueueName;
        _queue = storage.Queue(name);
        _poison = storage.Queue(name + "-poison");
        _handler = handler;
        _options = options;
        _logger = logger;
    }

    /// <summary>Messages handled so far (completed or skipped).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    private const int BatchSize = 32;

    private long _completed;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = _options.CurrentValue.Pump;
        var slots = Math.Max(1, options.Concurrency);
        using var gate = new SemaphoreSlim(slots);
        var idle = options.PollInterval;
        LogStarted(_logger, _queue.Name, options.Concurrency);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Receive a full batch (the queue's maximum is 32) and hand each message to a free slot; the next batch is
                // fetched as soon as this one is dispatched, so slots never wait on a receive round trip. Messages held
                // while waiting for a slot stay invisible (VisibilityTimeout) and come back if this process dies.
                QueueMessage[] messages;
                try
                {
                    messages = (await _queue.ReceiveMessagesAsync(BatchSize, options.VisibilityTimeout, stoppingToken).ConfigureAwait(false)).Value;
                }
                catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
                {
                    await _queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                    messages = [];
                }
                catch (Exception ex) when (ex is RequestFailedException or AggregateException or IOException || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
                {
                    LogReceiveFailed(_logger, ex.Message);
                    messages = [];
                    idle = TimeSpan.FromSeconds(1);
                }

                if (messages.Length == 0)
                {
                    await Task.Delay(idle, stoppingToken).ConfigureAwait(false);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
                    continue;
                }

                idle = options.PollInterval;
                foreach (var message in messages)
                {
                    await gate.WaitAsync(stoppingToken).ConfigureAwait(false);
                    _ = HandleAsync(message, gate); // settles the message, logs any failure, releases its slot
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Graceful stop: stop receiving, let what is in flight finish.
        }

        // Every message in flight holds a slot: taking all of them back means all have been settled.
        for (var i = 0; i < slots; i++)
        {
            await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        LogStopped(_logger, _queue.Name);
    }

    private async Task HandleAsync(QueueMessage message, SemaphoreSlim gate)
    {
        try
        {
            var options = _options.CurrentValue;
            var pump = options.Pump;
            var payload = TriggerInvocation.BuildQueuePayload(message.Body.ToMemory().Span, message.DequeueCount, message.MessageId, message.InsertedOn);
            var response = await _handler.HandleAsync(payload, TriggerSource.StorageQueue, CancellationToken.None).ConfigureAwait(false);
            if (response.StatusCode is >= 200 and < 300)
            {
                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt).ConfigureAwait(false);
                Interlocked.Increment(ref _completed);
            }
            else if (message.DequeueCount >= options.MaxDequeueCount)
            {
                await _poison.CreateIfNotExistsAsync().ConfigureAwait(false);
                await _poison.SendMessageAsync(message.Body).ConfigureAwait(false);
                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt).ConfigureAwait(false);
                LogPoisoned(_logger, message.MessageId, message.DequeueCount, _poison.Name);
            }
            else
            {
                var exponent = (int)Math.Min(message.DequeueCount - 1, 16);
                var delay = TimeSpan.FromTicks(Math.Min(pump.RetryDelay.Ticks * (1L << exponent), pump.MaxRetryDelay.Ticks));
                await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: delay).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the message reappears after its visibility timeout: nothing is lost.
            LogSettleFailed(_logger, message.MessageId, ex.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Queue pump started on {Queue} with concurrency {Concurrency}")]
    private static partial void LogStarted(ILogger logger, string queue, int concurrency);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Queue pump on {Queue} stopped")]
    private static partial void LogStopped(ILogger logger, string queue);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Queue pump could not receive: {Reason}")]
    private static partial void LogReceiveFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Message {MessageId} failed on dequeue {DequeueCount}, the last one: moved to {PoisonQueue}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, long dequeueCount, string poisonQueue);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Message {MessageId} could not be settled ({Reason}); it reappears after its visibility timeout")]
    private static partial void LogSettleFailed(ILogger logger, string messageId, string reason);
}
