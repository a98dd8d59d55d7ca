using Azure.Storage.Queues.Models;
using ConnectEvents.Platform3;
using ConnectEvents.Processing;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.Functions.Processing;

/// <summary>The <c>ProcessPlatform3Notification</c> function: verifies each queued v3 notification by inquiry, on the same exactly-once engine as Connect's events.</summary>
/// <param name="platforms">Whether the v3 platform is on.</param>
/// <param name="delivery">The trigger adapter: the last delivery by the host's maxDequeueCount; throws when the message must come back.</param>
/// <param name="pipeline">The v3 pipeline: one recurring claim per payment, one inquiry per round.</param>
public sealed class ProcessPlatform3Notification(EnabledPlatforms platforms, QueueDelivery delivery, NotificationPipeline pipeline)
{
    /// <summary>The function name the host knows it by.</summary>
    public const string Name = nameof(ProcessPlatform3Notification);

    /// <summary>The queue, as a setting reference the host resolves (<c>Platform3__QueueName</c>; set it even when the platform is off).</summary>
    public const string QueueSetting = "%Platform3__QueueName%";

    /// <summary>The storage connection the trigger uses.</summary>
    public const string Connection = "AzureWebJobsStorage";

    /// <summary>A throw fails the invocation: the host retries after the visibility timeout and poisons after maxDequeueCount.</summary>
    [Function(Name)]
    public Task RunAsync([QueueTrigger(QueueSetting, Connection = Connection)] QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return platforms.V3
            ? delivery.HandleAsync(pipeline, message.Body.ToMemory(), message.DequeueCount, message.MessageId, cancellationToken)
            : throw new InvalidOperationException("A v3 notification arrived but the platform is off (Platform3__Endpoint is not set); the message is kept for a later delivery.");
    }
}
