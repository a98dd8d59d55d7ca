using Azure.Storage.Queues.Models;
using ConnectEvents.Processing;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.Functions.Processing;

/// <summary>The <c>ProcessConnectEvent</c> function: Connect's processing entry point, triggered by the events Storage queue.</summary>
/// <param name="platforms">Whether the Connect platform is on.</param>
/// <param name="delivery">The trigger adapter: the last delivery by the host's maxDequeueCount; throws when the message must come back.</param>
/// <param name="pipeline">Connect's pipeline: envelope, claim of the event id, one handler per family.</param>
public sealed class ProcessConnectEvent(EnabledPlatforms platforms, QueueDelivery delivery, ConnectEventPipeline pipeline)
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
        // Off, the host does not run this function (AzureWebJobs.ProcessConnectEvent.Disabled); should a message still come,
        // it is kept for a later delivery, never processed by a platform that is not configured.
        return platforms.Connect
            ? delivery.HandleAsync(pipeline, message.Body.ToMemory(), message.DequeueCount, message.MessageId, cancellationToken)
            : throw new InvalidOperationException("A Connect event arrived but the Connect platform is off (Connect__Enabled=false); the message is kept for a later delivery.");
    }
}
