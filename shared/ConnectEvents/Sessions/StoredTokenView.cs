namespace ConnectEvents.Sessions;

/// <summary>One stored token as operators see it (no card data beyond what Connect's alias shows).</summary>
/// <param name="TokenId">The Connect token id.</param>
/// <param name="PaymentProductId">The payment product, when known.</param>
/// <param name="Alias">Connect's alias (e.g. masked card number), when known.</param>
/// <param name="CreatedAt">When the token was stored.</param>
/// <param name="LastUsedAt">When it was last offered in a session.</param>
public sealed record StoredTokenView(string TokenId, int? PaymentProductId, string? Alias, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);
