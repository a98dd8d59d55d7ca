namespace ConnectEvents.Webhooks;

/// <summary>One webhook secret key as configured in Worldline's Configuration Center.</summary>
public sealed class WebhookSecretKey
{
    /// <summary>The key id Worldline sends in X-GCS-KeyId.</summary>
    public string? KeyId { get; set; }

    /// <summary>The secret key (never logged).</summary>
    public string? Secret { get; set; }
}
