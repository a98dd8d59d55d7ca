using Azure.Storage.Queues.Models;
using ConnectEvents.Functions.Processing;
using Microsoft.Azure.WebJobs;

namespace ConnectEvents.DevHost;

/// <summary>
/// The WebJobs SDK side of <see cref="ProcessPlatform3Notification"/>, in a class of its own so that the listener is
/// handed it only when the v3 platform is on (<c>Platform3__Endpoint</c> set): otherwise <c>%Platform3__QueueName%</c>
/// is never resolved and no queue is polled for it.
/// </summary>
/// <param name="services">Creates the function class per invocation, as the worker does.</param>
public sealed class Platform3QueueFunctions(IServiceProvider services)
{
    /// <summary>Forwards one queue message; an exception fails the invocation, so the listener retries and poisons.</summary>
    [FunctionName(ProcessPlatform3Notification.Name)]
    public Task ProcessPlatform3NotificationAsync(
        [QueueTrigger(ProcessPlatform3Notification.QueueSetting, Connection = ProcessPlatform3Notification.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        ActivatorUtilities.CreateInstance<ProcessPlatform3Notification>(services).RunAsync(message, cancellationToken);
}
