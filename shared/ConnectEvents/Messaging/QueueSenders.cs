using System.Collections.Concurrent;
using ConnectEvents.Storage;

namespace ConnectEvents.Messaging;

/// <summary>One <see cref="QueueSender"/> per queue name of the app's storage account, shared by everyone who sends there.</summary>
/// <param name="storage">The app's storage clients (<c>AzureWebJobsStorage</c>).</param>
public sealed class QueueSenders(StorageClients storage)
{
    private readonly ConcurrentDictionary<string, QueueSender> _senders = new(StringComparer.Ordinal);

    /// <summary>The sender of <paramref name="queueName"/>.</summary>
    public QueueSender For(string queueName)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        return _senders.GetOrAdd(queueName, static (name, clients) => new QueueSender(clients.Queue(name)), storage);
    }
}
