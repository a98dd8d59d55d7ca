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
