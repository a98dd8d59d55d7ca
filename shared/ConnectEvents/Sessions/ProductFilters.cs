namespace ConnectEvents.Sessions;

/// <summary>Restrict-to and exclude filters (Connect's PaymentProductFiltersClientSession).</summary>
public sealed class ProductFilters
{
    /// <summary>Only these groups/products may be offered.</summary>
    public ProductFilter? RestrictTo { get; set; }

    /// <summary>These groups/products are never offered (wins over restrictTo).</summary>
    public ProductFilter? Exclude { get; set; }
}
