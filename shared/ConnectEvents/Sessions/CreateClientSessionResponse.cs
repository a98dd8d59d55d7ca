namespace ConnectEvents.Sessions;

/// <summary>What <c>POST /api/sessions</c> answers: what the checkout page needs to call the Client API, every part always present.</summary>
/// <param name="ClientSessionId">The session id for the Client API.</param>
/// <param name="CustomerId">The customer id for the Client API.</param>
/// <param name="ClientApiUrl">The Client API base URL to use.</param>
/// <param name="AssetUrl">The base URL for payment product logos and assets.</param>
/// <param name="Region">Deprecated by Connect (use ClientApiUrl and AssetUrl); passed through for older client SDKs.</param>
/// <param name="Tokens">The stored tokens offered in this session (invalid ones already removed).</param>
/// <param name="RemovedInvalidTokens">How many stored tokens Connect reported invalid and were forgotten.</param>
public sealed record CreateClientSessionResponse(
    string ClientSessionId,
    string CustomerId,
    string ClientApiUrl,
    string AssetUrl,
    [property: Obsolete("Connect deprecated region; use ClientApiUrl and AssetUrl.")] string? Region,
    IReadOnlyList<string> Tokens,
    int RemovedInvalidTokens);
