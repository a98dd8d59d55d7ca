namespace ConnectEvents.ConnectApi;

/// <summary>What kind of failure a Connect call ended in (the error model of the Server API's response codes).</summary>
public enum ConnectErrorKind
{
    /// <summary>400: the request is wrong.</summary>
    Validation,

    /// <summary>402: rejected by the platform or the acquirer.</summary>
    Declined,

    /// <summary>403: not allowed for this API key or merchant.</summary>
    Authorization,

    /// <summary>404, 410, or 409 other than idempotence: the object is missing, gone, or conflicts.</summary>
    Reference,

    /// <summary>409 with an idempotence key and error code 1409: the first request with this key is still running.</summary>
    Idempotence,

    /// <summary>500, 502, 503: platform, downstream or availability trouble.</summary>
    Platform,

    /// <summary>No usable response: network failure, timeout, open circuit, an answer that broke off or stalled.</summary>
    Communication,

    /// <summary>Any other status (408, 429 and 504 among them; the status decides whether it is transient), or a success answer we cannot use.</summary>
    Unknown,
}
