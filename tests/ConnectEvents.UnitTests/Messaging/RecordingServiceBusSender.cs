using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;

namespace ConnectEvents.UnitTests.Messaging;

/// <summary>
/// A <see cref="ServiceBusSender"/> built through the SDK's mocking constructor: records sent messages, runs a hook
/// first, or throws as told. Also compiled into the integration tests, which register it in place of the real sender.
/// </summary>
public sealed class RecordingServiceBusSender(string topicName = "connect-events") : ServiceBusSender
{
    private readonly ConcurrentQueue<ServiceBusMessage> _sent = new();
    private volatile bool _closed;

    /// <summary>Every message sent successfully, in order.</summary>
    public IReadOnlyCollection<ServiceBusMessage> Sent => _sent;

    /// <summary>Thrown by every send when set.</summary>
    public Exception? Fail { get; set; }

    /// <summary>Runs before each send, with the send's token.</summary>
    public Func<CancellationToken, Task>? OnSend { get; set; }

    /// <inheritdoc />
    public override string EntityPath => topicName;

    /// <inheritdoc />
    public override string FullyQualifiedNamespace => "sb-fake.servicebus.windows.net";

    /// <inheritdoc />
    public override async Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
    {
        if (OnSend is not null)
        {
            await OnSend(cancellationToken);
        }

        if (Fail is not null)
        {
            throw Fail;
        }

        // The real sender serializes the body during the send; the webhook's body is a pooled buffer reused once the
        // request ends, so the recording keeps its own copy of what was sent.
        message.Body = BinaryData.FromBytes(message.Body.ToArray());
        _sent.Enqueue(message);
    }

    /// <summary>The base class would close AMQP links this fake never opened; it only marks itself closed.</summary>
    public override Task CloseAsync(CancellationToken cancellationToken = default)
    {
        _closed = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override bool IsClosed => _closed;
}
