namespace ConnectEvents.Platform3;

/// <summary>Why a notification URL was refused (or could not be checked).</summary>
public enum NotificationUrlFailure
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>A parameter is missing or sent more than once.</summary>
    MissingParameter,

    /// <summary>A parameter is not one a minted URL carries (merchant, reference, expiry or token shape).</summary>
    MalformedParameter,

    /// <summary>The URL's expiry has passed.</summary>
    Expired,

    /// <summary>The URL claims to be valid for longer than <c>Platform3__NotificationUrlLifetime</c> allows.</summary>
    BeyondLifetime,

    /// <summary>The key id is not one notification URLs are minted or accepted with, or the store does not know it.</summary>
    UnknownKey,

    /// <summary>The token does not match.</summary>
    BadSignature,

    /// <summary>The secret key store could not be asked: nothing is known about the URL (answer 503, the platform retries).</summary>
    KeyStoreUnavailable,
}
