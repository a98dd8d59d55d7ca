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
