namespace ConnectEvents.Webhooks;

/// <summary>Why a webhook request was rejected.</summary>
public enum WebhookFailure
{
    /// <summary>Verified.</summary>
    None,

    /// <summary>No X-GCS-Signature header.</summary>
    MissingSignature,

    /// <summary>X-GCS-Signature sent more than once.</summary>
    DuplicateSignature,

    /// <summary>No X-GCS-KeyId header.</summary>
    MissingKeyId,

    /// <summary>X-GCS-KeyId sent more than once.</summary>
    DuplicateKeyId,

    /// <summary>The key id is not configured (it may not be configured yet: Worldline will retry).</summary>
    UnknownKeyId,

    /// <summary>The signature does not match the body under the key (or is not a base64 SHA-256 MAC).</summary>
    InvalidSignature,
}
