using Azure.Storage.Queues.Models;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Processing;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.Functions.Processing;

/// <summary>The <c>ProcessConnectEvent</c> function: the one processing entry point, triggered by the events Storage queue.</summary>
/// <param name="connect">Whether the Connect platform is on, and its <see cref="QueueDelivery"/> (processes one delivery exactly once, told by the dequeue count whether it is the last; throws when the message must come back).</param>
public sealed class ProcessConnectEvent(ConnectPlatform connect)
{
    /// <summary>The function name the host knows it by.</summary>
    public const string Name = nameof(ProcessConnectEvent);

    /// <summary>The queue, as a setting reference the host resolves (<c>Events__QueueName</c>).</summary>
    public const string QueueSetting = "%Events__QueueName%";

    /// <summary>The storage connection the trigger uses.</summary>
    public const string Connection = "AzureWebJobsStorage";

    /// <summary>A throw fails the invocation: the host retries after the visibility timeout and poisons after maxDequeueCount.</summary>
    [Function(Name)]
    public Task RunAsync([QueueTrigger(QueueSetting, Connection = Connection)] QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!connect.IsEnabled)
        {
            throw new InvalidOperationException("A Connect event arrived but the Connect platform is off (Connect__Enabled=false); the message is kept for a later delivery.");
        }

        return connect.Get<QueueDelivery>().HandleAsync(message.Body.ToMemory(), message.DequeueCount, message.MessageId, cancellationToken);
    }
}
