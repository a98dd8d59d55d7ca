using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Processing.Handlers;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>
/// Connect's processing pipeline: reads the event's envelope from the raw bytes (quarantining a body that is not a usable
/// event), claims the event id through <see cref="ExactlyOnceProcessor"/>, and hands the event to its family's handler.
/// </summary>
/// <param name="exactlyOnce">Claims, records, gives back and defers.</param>
/// <param name="handlers">One handler per event family.</param>
/// <param name="events">Names the events queue (<c>Events__QueueName</c>) the trigger listens on.</param>
public sealed class ConnectEventPipeline(ExactlyOnceProcessor exactlyOnce, ConnectEventHandlers handlers, IOptions<EventsOptions> events) : IQueuePipeline
{
    /// <inheritdoc />
    public string QueueName => events.Value.QueueName;

    /// <inheritdoc />
    public async Task<ProcessingResult> ProcessAsync(TriggerMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parsed = ConnectEventEnvelope.Parse(message.Body.Span);
        if (parsed.Envelope is not { } envelope)
        {
            return await exactlyOnce.QuarantineAsync(message, parsed.Error ?? "unreadable event", cancellationToken);
        }

        // Connect's keys are the bare event ids; the v3 platform prefixes its own. The record keeps the exact bytes so an
        // operator can replay a Failed event (connect-events replay).
        var claim = new ClaimRequest(envelope.Id, envelope.Id, new EventClaimInfo(envelope.Type, envelope.MerchantId, envelope.PaymentId, message.Body));
        return await exactlyOnce.RunAsync(claim, envelope, handlers, message, cancellationToken);
    }
}
