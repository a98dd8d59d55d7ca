namespace ConnectEvents.Webhooks;

/// <summary>The outcome of <see cref="WebhookIngress.HandleAsync"/>.</summary>
/// <param name="Status">What to answer.</param>
/// <param name="Reason">A short safe reason (for logs and tests; not sent on 401).</param>
/// <param name="EventId">The accepted event's id.</param>
/// <param name="QuarantineId">The quarantine entry's id.</param>
public sealed record IngressResult(IngressStatus Status, string? Reason, string? EventId = null, string? QuarantineId = null);
