using System.Diagnostics;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Diagnostics;
using ConnectEvents.Storage;

namespace ConnectEvents.Messaging;

/// <summary>
/// Sends exact bytes to one Azure Storage queue (base64 on the wire, as the Functions queue trigger reads it), creating
/// the queue on first use and again if it was deleted, and describing every failure as an <see cref="EventPublishException"/>.
/// The one way anything is put on a queue: the webhook's publisher, v3 notifications, deferred copies and replays.
/// Each send is a <c>send {queue}</c> producer span, and while tracing is on the message carries its trace context
/// (<see cref="QueueTraceHeader"/>) before the exact bytes.
/// </summary>
public sealed class QueueSender
{
    /// <summary>The largest message body sent (64 KiB of base64 text).</summary>
    public const int MaxRawBytes = 48 * 1024;

    /// <summary>The longest a queue message may stay invisible (the Storage queue limit).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    private readonly QueueClient _queue;
    private readonly CreateOnce _creation;
    private readonly string _spanName;

    /// <summary>Creates the sender; the queue is created on first use if missing.</summary>
    public QueueSender(QueueClient queue)
    {
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _spanName = "send " + queue.Name;
        _creation = new CreateOnce(ct => _queue.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    /// <summary>The queue messages are sent to.</summary>
    public string QueueName => _queue.Name;

    /// <summary>
    /// Sends <paramref name="body"/>, visible after <paramref name="delay"/> (none: at once; clamped to 0…<see cref="MaxDelay"/>);
    /// completes once the queue has stored it. Its processing continues the sender's trace.
    /// </summary>
    /// <exception cref="EventTooLargeException">The body is larger than <see cref="MaxRawBytes"/>.</exception>
    /// <exception cref="EventPublishException">The queue did not take the message.</exception>
    public async Task SendAsync(ReadOnlyMemory<byte> body, TimeSpan? delay, CancellationToken cancellationToken) =>
        await SendReceiptedAsync(body, delay, QueueTraceMode.Continue, null, cancellationToken);

    /// <summary><see cref="SendAsync"/>, answering the stored message's id and pop receipt, with which it can be deleted again.</summary>
    /// <exception cref="EventTooLargeException">The body is larger than <see cref="MaxRawBytes"/>.</exception>
    /// <exception cref="EventPublishException">The queue did not take the message.</exception>
    public Task<SendReceipt> SendReceiptedAsync(ReadOnlyMemory<byte> body, TimeSpan? delay, CancellationToken cancellationToken) =>
        SendReceiptedAsync(body, delay, QueueTraceMode.Continue, null, cancellationToken);

    /// <summary>
    /// Sends <paramref name="body"/> as <see cref="SendReceiptedAsync(ReadOnlyMemory{byte}, TimeSpan?, CancellationToken)"/> does;
    /// with <see cref="QueueTraceMode.Link"/> its processing starts a trace of its own, linked to <paramref name="original"/>
    /// (a stored <c>traceparent</c>) or, without one, to this send.
    /// </summary>
    /// <exception cref="EventTooLargeException">The body is larger than <see cref="MaxRawBytes"/>.</exception>
    /// <exception cref="EventPublishException">The queue did not take the message.</exception>
    public async Task<SendReceipt> SendReceiptedAsync(ReadOnlyMemory<byte> body, TimeSpan? delay, QueueTraceMode mode, ActivityContext? original, CancellationToken cancellationToken)
    {
        if (body.Length > MaxRawBytes)
        {
            throw new EventTooLargeException($"The message is {body.Length} bytes; a Storage queue message holds at most {MaxRawBytes}.");
        }

        using var span = ConnectEventsTracing.Start(_spanName, ActivityKind.Producer);
        span?.SetTag("messaging.system", ConnectEventsTracing.StorageQueueSystem)
            .SetTag("messaging.operation.type", "send")
            .SetTag("messaging.operation.name", "send")
            .SetTag("messaging.destination.name", _queue.Name)
            .SetTag("server.address", _queue.Uri.Host);
        QueueTraceHeader? header = mode == QueueTraceMode.Link && original is { } linked ? new QueueTraceHeader(linked, true)
            : span is null ? null : new QueueTraceHeader(span.Context, mode == QueueTraceMode.Link);
        // The context never costs the event: a body with no room left for the line goes without it.
        var message = body.Length + QueueTraceHeader.MaxLength <= MaxRawBytes ? QueueTraceHeader.Prepend(header, body) : body;
        TimeSpan? visibility = delay is { } d ? (d < TimeSpan.Zero ? TimeSpan.Zero : d > MaxDelay ? MaxDelay : d) : null;
        try
        {
            var sent = await _creation.RunAsync(
                static (s, ct) => s.Queue.SendMessageAsync(s.Body, s.Delay, cancellationToken: ct),
                (Queue: _queue, Body: BinaryData.FromBytes(message), Delay: visibility), QueueErrorCode.QueueNotFound.ToString(), cancellationToken);
            span?.SetTag("messaging.message.id", sent.Value.MessageId);
            return sent.Value;
        }
        catch (Exception ex) when (StorageFailures.IsStorageFailure(ex))
        {
            ConnectEventsTracing.Fail(span, ex);
            throw EventPublishException.FromStorage($"Storage queue '{_queue.Name}'", ex, _queue.Uri);
        }
    }

    /// <summary>Deletes a message this sender sent (<see cref="SendReceiptedAsync(ReadOnlyMemory{byte}, TimeSpan?, CancellationToken)"/>); nothing to do when it was already delivered or gone.</summary>
    /// <exception cref="EventPublishException">The queue could not be reached.</exception>
    public async Task DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // Already delivered (or deleted): nothing of it is left to cancel.
        }
        catch (Exception ex) when (StorageFailures.IsStorageFailure(ex))
        {
            throw EventPublishException.FromStorage($"Storage queue '{_queue.Name}'", ex, _queue.Uri);
        }
    }
}
