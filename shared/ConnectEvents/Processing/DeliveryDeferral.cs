using Azure.Storage.Queues.Models;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>Puts an event back on the processing queue to be delivered again later, as a new message.</summary>
public interface IDeliveryDeferral
{
    /// <summary>Enqueues <paramref name="body"/> to become visible after <paramref name="delay"/>; completes once it is durably stored.</summary>
    Task DeferAsync(ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>
/// Defers on the events queue itself (<c>Events__QueueName</c>): a message sent with an initial invisibility, so the
/// trigger delivers it again when the delay is over, with a fresh delivery budget.
/// </summary>
/// <param name="storage">The storage clients (<c>AzureWebJobsStorage</c>).</param>
/// <param name="events">Names the queue.</param>
public sealed class QueueDeliveryDeferral(StorageClients storage, IOptions<EventsOptions> events) : IDeliveryDeferral
{
    /// <summary>The longest a queue message may stay invisible (the Storage queue limit).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    /// <inheritdoc />
    public async Task DeferAsync(ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var queue = storage.Queue(events.Value.QueueName);
        var visibility = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxDelay ? MaxDelay : delay;
        try
        {
            await queue.SendMessageAsync(BinaryData.FromBytes(body), visibility, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsStorageFailure(ex))
        {
            throw new StoreUnavailableException($"Storage queue '{queue.Name}' did not take the deferred event: {StorageFailures.Describe(ex)}", ex);
        }
    }
}
