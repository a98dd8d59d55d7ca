namespace ConnectEvents.Messaging;

/// <summary>A signed event that could not be used, kept durably so an operator can inspect and replay it.</summary>
/// <param name="Id">Unique id of the quarantine entry (also the blob name's last part).</param>
/// <param name="Reason">Why the event was not enqueued (e.g. "unsupported apiVersion 'v2'").</param>
/// <param name="KeyId">The webhook key id that signed it.</param>
/// <param name="ReceivedAt">When ingress received it.</param>
/// <param name="Headers">The request headers, minus the signature and anything secret.</param>
/// <param name="Body">The raw body, byte for byte (base64 in JSON).</param>
/// <param name="Signature">
/// The <c>X-GCS-Signature</c> that verified at ingress (an HMAC of the body, not a secret), so a replay can verify the bytes
/// again under the current keys; null for entries the processor quarantined and for entries written before it was kept.
/// </param>
public sealed record QuarantinedEvent(
    string Id,
    string Reason,
    string? KeyId,
    DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    string? Signature = null);
