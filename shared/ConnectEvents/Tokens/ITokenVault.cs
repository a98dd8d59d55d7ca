using ConnectEvents.Storage;

namespace ConnectEvents.Tokens;

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

    /// <summary>
    /// Whether any customer of the merchant still holds the token (Connect has one token per card, so two customers paying
    /// with one card share it): a token dropped from one customer is deleted at Connect only when no one holds it.
    /// An index row left by an interrupted removal counts as held, which keeps the token rather than deleting it.
    /// </summary>
    /// <exception cref="Storage.StoreUnavailableException">Storage could not be reached.</exception>
    Task<bool> IsHeldAsync(string merchantId, string tokenId, CancellationToken ct);

    /// <summary>
    /// Whether a customer of the merchant other than <paramref name="customerReference"/> holds the token: an operator's
    /// delete for one customer then forgets it for that customer only and leaves Connect's token to the others.
    /// </summary>
    /// <exception cref="Storage.StoreUnavailableException">Storage could not be reached.</exception>
    Task<bool> IsHeldByAnotherAsync(string merchantId, string tokenId, string customerReference, CancellationToken ct);

    /// <summary>Removes a token from every customer of the merchant that holds it (token.deleted / token.expired give only the id); returns how many were removed.</summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task<int> RemoveEverywhereAsync(string merchantId, string tokenId, CancellationToken ct);

    /// <summary>Sets <see cref="StoredToken.LastUsedAt"/> of the given tokens (those no longer stored are skipped).</summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    Task MarkUsedAsync(string merchantId, string customerReference, IEnumerable<string> tokenIds, DateTimeOffset usedAt, CancellationToken ct);
}
