namespace ConnectEvents.Messaging;

/// <summary>Envelope facts about one verified Connect event, read once at ingress.</summary>
/// <param name="EventId">The Connect event id (stable across redeliveries; the dedupe key).</param>
/// <param name="EventType">The event type, e.g. <c>payment.pending_capture</c>.</param>
/// <param name="MerchantId">The merchant the event belongs to.</param>
/// <param name="ResourceType">Which object the event carries: payment, refund, payout, token, dispute or capture; null when none.</param>
/// <param name="ResourceId">The id of that object, when present.</param>
/// <param name="ApiVersion">The event's apiVersion (always <c>v1</c> once accepted).</param>
/// <param name="KeyId">The webhook secret key id that signed the event.</param>
/// <param name="ReceivedAt">When ingress received the request.</param>
/// <param name="Signature">
/// The request's <c>X-GCS-Signature</c> value, passed on to Service Bus subscribers so that one holding the webhook key can
/// prove the body is Worldline's, unchanged. It is an HMAC of the body, not a secret, but it is never logged.
/// </param>
/// <param name="Created">The event's <c>created</c> time, when the envelope has a readable one.</param>
public sealed record EventMetadata(
    string EventId,
    string EventType,
    string MerchantId,
    string? ResourceType,
    string? ResourceId,
    string ApiVersion,
    string KeyId,
    DateTimeOffset ReceivedAt,
    string? Signature = null,
    DateTimeOffset? Created = null);
