using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.Processing.Handlers;

namespace ConnectEvents.Processing;

/// <summary>
/// Connect's processing pipeline: reads the event's envelope from the raw bytes (quarantining a body that is not a usable
/// event), claims the event id through <see cref="ExactlyOnceProcessor"/>, and hands the event to its family's handler.
/// </summary>
/// <param name="exactlyOnce">Claims, records and gives back.</param>
/// <param name="handlers">One handler per event family.</param>
public sealed class EventProcessor(ExactlyOnceProcessor exactlyOnce, ConnectEventHandlers handlers)
{
    /// <summary>Processes one delivery. Never throws for bad input or transient trouble: the result says what the trigger should do.</summary>
    public async Task<ProcessingResult> ProcessAsync(TriggerMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parsed = ConnectEventEnvelope.Parse(message.Body.Span);
        if (parsed.Envelope is not { } envelope)
        {
            return await exactlyOnce.QuarantineAsync(message, parsed.Error ?? "unreadable event", cancellationToken);
        }

        // Connect's keys are the bare event ids (the records written so far); another platform prefixes its own. The record keeps
        // the exact bytes so an operator can replay a Failed event (connect-events replay).
        var paymentId = envelope.ResourceType == "payment" ? envelope.ResourceId : null;
        var claim = new ClaimRequest(envelope.Id, envelope.Id, new EventClaimInfo(envelope.Type, envelope.MerchantId, paymentId, message.Body));
        return await exactlyOnce.RunAsync(claim, envelope, handlers, message, cancellationToken);
    }
}
