using Azure.Storage.Queues.Models;
using ConnectEvents.Platform3;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.Functions.Processing;

/// <summary>The <c>ProcessPlatform3Notification</c> function: verifies each queued v3 notification by inquiry, exactly once.</summary>
/// <param name="services">The app's services; the v3 ones exist only when <c>Platform3__Endpoint</c> is set.</param>
public sealed class ProcessPlatform3Notification(IServiceProvider services)
{
    /// <summary>The function name the host knows it by.</summary>
    public const string Name = nameof(ProcessPlatform3Notification);

    /// <summary>The queue, as a setting reference the host resolves (<c>Platform3__QueueName</c>; set it even when the platform is off).</summary>
    public const string QueueSetting = "%Platform3__QueueName%";

    /// <summary>The storage connection the trigger uses.</summary>
    public const string Connection = "AzureWebJobsStorage";

    /// <summary>A throw fails the invocation: the host retries after the visibility timeout and poisons after maxDequeueCount.</summary>
    [Function(Name)]
    public async Task RunAsync([QueueTrigger(QueueSetting, Connection = Connection)] QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var processor = services.GetService<Platform3Switch>() is { IsEnabled: true }
            ? services.GetRequiredService<NotificationProcessor>()
            : throw new InvalidOperationException("A v3 notification arrived but the platform is off (Platform3__Endpoint is not set); the message is kept for a later delivery.");
        await processor.ProcessAsync(message.Body.ToMemory(), message.DequeueCount, message.MessageId, cancellationToken);
    }
}
