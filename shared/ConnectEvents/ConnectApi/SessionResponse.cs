namespace ConnectEvents.ConnectApi;

/// <summary>The answer to create session.</summary>
public sealed class SessionResponse : ConnectObject
{
    /// <summary>The session id for the Client API.</summary>
    public string? ClientSessionId { get; set; }

    /// <summary>The customer id the Client API uses in its URIs.</summary>
    public string? CustomerId { get; set; }

    /// <summary>The datacenter-specific Client API base URL.</summary>
    public string? ClientApiUrl { get; set; }

    /// <summary>The datacenter-specific asset base URL.</summary>
    public string? AssetUrl { get; set; }

    /// <summary>Requested tokens that can no longer be used; forget them.</summary>
    public IList<string>? InvalidTokens { get; set; }

    /// <summary>Deprecated datacenter region (use the URLs instead).</summary>
    public string? Region { get; set; }
}
