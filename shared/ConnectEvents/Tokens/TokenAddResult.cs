namespace ConnectEvents.Tokens;

/// <summary>The result of storing a token: whether it was new, and which older tokens the per-customer cap dropped.</summary>
/// <param name="IsNew">False when the same token id was already stored for the customer (its details were refreshed).</param>
/// <param name="Dropped">Tokens removed to keep the customer within <see cref="TokenVaultOptions.MaxTokensPerCustomer"/>.</param>
public sealed record TokenAddResult(bool IsNew, IReadOnlyList<StoredToken> Dropped);
