namespace ConnectEvents.ConnectApi;

/// <summary>The body of create session.</summary>
public sealed class SessionRequest : ConnectObject
{
    /// <summary>Stored tokens of the customer to offer.</summary>
    public IList<string>? Tokens { get; set; }

    /// <summary>Product filters.</summary>
    public PaymentProductFiltersClientSession? PaymentProductFilters { get; set; }
}
