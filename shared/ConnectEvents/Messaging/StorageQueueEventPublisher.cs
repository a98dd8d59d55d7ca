using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Storage;

namespace ConnectEvents.Messaging;

/// <summary>
/// Publishes events to an Azure Storage queue: the message is the exact raw event bytes, base64-encoded on the wire
/// as the Functions queue trigger expects, so the processor receives byte for byte what Worldline signed.
/// </summary>
public sealed class StorageQueueEventPublisher : IEventPublisher, IScheduledEventPublisher
{
    /// <summary>The longest delay a Storage queue message can be hidden for.</summary>
    public static readonly TimeSpan MaxScheduleDelay = TimeSpan.FromDays(7);

    /// <summary>The largest raw event a queue message holds (64 KiB of base64 text).</summary>
    public const int MaxRawBytes = 48 * 1024;

    private readonly QueueClient _queue;
    private readonly CreateOnce _creation;

    /// <summary>Creates the publisher; the queue is created on first use if missing.</summary>
    public StorageQueueEventPublisher(QueueClient queue)
    {
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _creation = new CreateOnce(ct => _queue.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    /// <inheritdoc />
    public Task PublishAsync(EventMessage message, CancellationToken cancellationToken) =>
        SendAsync(message, null, cancellationToken);

    /// <summary>
    /// Sends the message hidden until <paramref name="enqueueAt"/> (the queue's visibility timeout, at most
    /// <see cref="MaxScheduleDelay"/>); queues have no message id to set, so <paramref name="messageId"/> is not used.
    /// </summary>
    public Task ScheduleAsync(EventMessage message, DateTimeOffset enqueueAt, string messageId, CancellationToken cancellationToken)
    {
        var delay = enqueueAt - DateTimeOffset.UtcNow;
        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxScheduleDelay ? MaxScheduleDelay : delay;
        return SendAsync(message, delay, cancellationToken);
    }

    private async Task SendAsync(EventMessage message, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Body.Length > MaxRawBytes)
        {
            throw new EventTooLargeException($"The event is {message.Body.Length} bytes; a Storage queue message holds at most {MaxRawBytes}.");
        }

        try
        {
            await _creation.RunAsync(
                static (s, ct) => s.Queue.SendMessageAsync(s.Body, s.visibilityDelay, cancellationToken: ct),
                (Queue: _queue, Body: BinaryData.FromBytes(message.Body), visibilityDelay), QueueErrorCode.QueueNotFound.ToString(), cancellationToken);
        }
        catch (Exception ex) when (StorageFailures.IsStorageFailure(ex))
        {
            throw EventPublishException.FromStorage($"Storage queue '{_queue.Name}'", ex);
        }
    }
}

/// <summary>The event does not fit the transport's message size; it is kept in quarantine instead.</summary>
public sealed class EventTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EventTooLargeException() : base("The event is too large for the transport.") { }

    /// <summary>Creates the exception with a reason.</summary>
    public EventTooLargeException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public EventTooLargeException(string message, Exception innerException) : base(message, innerException) { }
}
