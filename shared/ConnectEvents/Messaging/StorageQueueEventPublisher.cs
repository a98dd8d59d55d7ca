using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Storage;

namespace ConnectEvents.Messaging;

/// <summary>
/// Publishes events to an Azure Storage queue: the message is the exact raw event bytes, base64-encoded on the wire
/// as the Functions queue trigger expects, so the processor receives byte for byte what Worldline signed.
/// </summary>
public sealed class StorageQueueEventPublisher : IEventPublisher
{
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

    /// <summary>The queue messages are sent to.</summary>
    public string QueueName => _queue.Name;

    /// <inheritdoc />
    /// <exception cref="EventTooLargeException">The event is larger than <see cref="MaxRawBytes"/>.</exception>
    public Task PublishAsync(EventMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync(message.Body, null, cancellationToken);
    }

    /// <summary>
    /// Enqueues the raw event to become visible after <paramref name="delay"/> (a redelivery the processor schedules);
    /// same size limit, queue creation and failure mapping as <see cref="PublishAsync"/>.
    /// </summary>
    /// <exception cref="EventPublishException">The queue did not take the message.</exception>
    public Task PublishLaterAsync(ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken) =>
        SendAsync(body, delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxDelay ? MaxDelay : delay, cancellationToken);

    /// <summary>The longest a queue message may stay invisible (the Storage queue limit).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    private async Task SendAsync(ReadOnlyMemory<byte> body, TimeSpan? delay, CancellationToken cancellationToken)
    {
        if (body.Length > MaxRawBytes)
        {
            throw new EventTooLargeException($"The event is {body.Length} bytes; a Storage queue message holds at most {MaxRawBytes}.");
        }

        try
        {
            await _creation.RunAsync(
                static (s, ct) => s.Queue.SendMessageAsync(s.Body, s.Delay, cancellationToken: ct),
                (Queue: _queue, Body: BinaryData.FromBytes(body), Delay: delay), QueueErrorCode.QueueNotFound.ToString(), cancellationToken);
        }
        catch (Exception ex) when (StorageFailures.IsStorageFailure(ex))
        {
            throw EventPublishException.FromStorage($"Storage queue '{_queue.Name}'", ex, _queue.Uri);
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
