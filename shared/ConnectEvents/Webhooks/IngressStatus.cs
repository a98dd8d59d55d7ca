namespace ConnectEvents.Webhooks;

/// <summary>What the webhook pipeline decided.</summary>
public enum IngressStatus
{
    /// <summary>Verified and durably enqueued: answer 200.</summary>
    Accepted,

    /// <summary>Signed but unusable, durably quarantined: answer 2xx so Worldline stops retrying.</summary>
    Quarantined,

    /// <summary>Signature checks failed: answer 401 with an empty body.</summary>
    Unauthorized,

    /// <summary>Storage or the key store failed: answer 503 with Retry-After; nothing was acknowledged.</summary>
    Unavailable,
}
