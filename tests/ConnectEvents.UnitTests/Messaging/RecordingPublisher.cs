using System.Collections.Concurrent;
using ConnectEvents.Messaging;

namespace ConnectEvents.UnitTests.Messaging;

/// <summary>An <see cref="IEventPublisher"/> that records what it is given, runs a hook first, or fails as told.</summary>
internal sealed class RecordingPublisher : IEventPublisher
{
    private readonly ConcurrentQueue<EventMessage> _messages = new();

    public IReadOnlyCollection<EventMessage> Messages => _messages;

    public Exception? Fail { get; set; }

    /// <summary>Runs before the message is recorded (or <see cref="Fail"/> thrown), with the publish's token.</summary>
    public Func<CancellationToken, Task>? OnPublish { get; set; }

    public async Task PublishAsync(EventMessage message, CancellationToken cancellationToken)
    {
        if (OnPublish is not null)
        {
            await OnPublish(cancellationToken);
        }

        if (Fail is not null)
        {
            throw Fail;
        }

        _messages.Enqueue(message with { Body = message.Body.ToArray() });
    }
}
