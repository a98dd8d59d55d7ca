using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectEvents.Sessions;

/// <summary>
/// What the merchant's backend sends to <c>POST /api/sessions</c>. There is no merchant field: the merchant comes from
/// configuration only, and any field not listed here is refused.
/// </summary>
public sealed class CreateClientSessionRequest
{
    /// <summary>The merchant's own id for the customer (the token vault's key); required.</summary>
    public string? CustomerReference { get; set; }

    /// <summary>Optional payment product filters passed through to Connect unchanged.</summary>
    public ProductFilters? PaymentProductFilters { get; set; }
}

/// <summary>Restrict-to and exclude filters (Connect's PaymentProductFiltersClientSession).</summary>
public sealed class ProductFilters
{
    /// <summary>Only these groups/products may be offered.</summary>
    public ProductFilter? RestrictTo { get; set; }

    /// <summary>These groups/products are never offered (wins over restrictTo).</summary>
    public ProductFilter? Exclude { get; set; }
}

/// <summary>Payment product groups (e.g. <c>cards</c>) and product ids.</summary>
public sealed class ProductFilter
{
    /// <summary>Payment product groups, e.g. <c>cards</c>.</summary>
    public IList<string>? Groups { get; set; }

    /// <summary>Payment product ids, e.g. 1 (Visa).</summary>
    public IList<int>? Products { get; set; }
}

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

/// <summary>One stored token as operators see it (no card data beyond what Connect's alias shows).</summary>
/// <param name="TokenId">The Connect token id.</param>
/// <param name="PaymentProductId">The payment product, when known.</param>
/// <param name="Alias">Connect's alias (e.g. masked card number), when known.</param>
/// <param name="CreatedAt">When the token was stored.</param>
/// <param name="LastUsedAt">When it was last offered in a session.</param>
public sealed record StoredTokenView(string TokenId, int? PaymentProductId, string? Alias, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>Source-generated JSON for the session endpoints (camelCase, nulls omitted, unknown fields refused).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateClientSessionRequest))]
[JsonSerializable(typeof(CreateClientSessionResponse))]
[JsonSerializable(typeof(IReadOnlyList<StoredTokenView>))]
[JsonSerializable(typeof(SessionProblem))]
public sealed partial class SessionJsonContext : JsonSerializerContext;
