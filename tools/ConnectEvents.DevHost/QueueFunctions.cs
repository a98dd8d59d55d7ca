using Azure.Storage.Queues.Models;
using ConnectEvents.Functions.Processing;
using Microsoft.Azure.WebJobs;

namespace ConnectEvents.DevHost;

/// <summary>
/// The WebJobs SDK side of the app's queue-triggered function: the listener the Functions host runs calls this, and it
/// calls a new <see cref="ProcessConnectEvent"/> with the same QueueMessage the worker would get. A start-up check
/// (<see cref="QueueFunctionCheck"/>) and a test keep the trigger here equal to the one in functions.metadata.
/// </summary>
/// <param name="services">Creates the function class per invocation, as the worker does.</param>
public sealed class QueueFunctions(IServiceProvider services)
{
    /// <summary>Forwards one queue message; an exception fails the invocation, so the listener retries and poisons.</summary>
    [FunctionName(ProcessConnectEvent.Name)]
    public Task ProcessConnectEventAsync(
        [QueueTrigger(ProcessConnectEvent.QueueSetting, Connection = ProcessConnectEvent.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        ActivatorUtilities.CreateInstance<ProcessConnectEvent>(services).RunAsync(message, cancellationToken);
}
