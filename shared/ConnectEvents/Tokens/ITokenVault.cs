using ConnectEvents.Storage;

namespace ConnectEvents.Tokens;

/// <summary>A reusable Connect token stored for a merchant's customer.</summary>
/// <param name="MerchantId">The Connect merchant id the token belongs to.</param>
/// <param name="CustomerReference">The merchant's reference for the customer (chosen by the processor's policy).</param>
/// <param name="TokenId">The Connect token id.</param>
/// <param name="PaymentProductId">The payment product of the token (e.g. 1 = Visa), when known.</param>
/// <param name="PaymentId">The payment the token was created from, when known.</param>
/// <param name="CreatedAt">When the token was stored.</param>
/// <param name="LastUsedAt">When the token was last offered to the customer (a client session), or null if never.</param>
/// <param name="MaskedCard">The card number as Connect obfuscates it (only the last four digits are ever stored).</param>
public sealed record StoredToken(
    string MerchantId,
    string CustomerReference,
    string TokenId,
    int? PaymentProductId,
    string? PaymentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    string? MaskedCard);

/// <summary>The result of storing a token: whether it was new, and which older tokens the per-customer cap dropped.</summary>
/// <param name="IsNew">False when the same token id was already stored for the customer (its details were refreshed).</param>
/// <param name="Dropped">Tokens removed to keep the customer within <see cref="TokenVaultOptions.MaxTokensPerCustomer"/>.</param>
public sealed record TokenAddResult(bool IsNew, IReadOnlyList<StoredToken> Dropped);

/// <summary>Stored tokens per merchant and customer, capped per customer.</summary>
public interface ITokenVault
{
    /// <summary>
    /// Stores the token (idempotent: the same token id is never stored twice), enforces the per-customer cap and tells
    /// whether the token was new and which tokens the cap dropped: first the oldest never-used ones (by
    /// <see cref="StoredToken.CreatedAt"/>), then the least recently used. The token being added is never dropped.
    /// </summary>
    /// <exception cref="ArgumentException">The merchant id, customer reference or token id is empty.</exception>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task<TokenAddResult> AddAndTrimAsync(StoredToken token, CancellationToken ct);

    /// <summary>The customer's tokens, newest first.</summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task<IReadOnlyList<StoredToken>> ListAsync(string merchantId, string customerReference, CancellationToken ct);

    /// <summary>Removes one token of one customer; true when it was there.</summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task<bool> RemoveAsync(string merchantId, string customerReference, string tokenId, CancellationToken ct);

    /// <summary>Removes a token from every customer of the merchant that holds it (token.deleted / token.expired give only the id); returns how many were removed.</summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task<int> RemoveEverywhereAsync(string merchantId, string tokenId, CancellationToken ct);

    /// <summary>Sets <see cref="StoredToken.LastUsedAt"/> of the given tokens (those no longer stored are skipped).</summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task MarkUsedAsync(string merchantId, string customerReference, IEnumerable<string> tokenIds, DateTimeOffset usedAt, CancellationToken ct);
}
