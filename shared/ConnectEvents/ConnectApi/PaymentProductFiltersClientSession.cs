namespace ConnectEvents.ConnectApi;

/// <summary>The payment product filters of a client session.</summary>
public sealed class PaymentProductFiltersClientSession : ConnectObject
{
    /// <summary>Only these may be offered.</summary>
    public PaymentProductFilter? RestrictTo { get; set; }

    /// <summary>These are never offered (wins over restrictTo).</summary>
    public PaymentProductFilter? Exclude { get; set; }
}
