namespace ConnectEvents.Sessions;

/// <summary>Payment product groups (e.g. <c>cards</c>) and product ids.</summary>
public sealed class ProductFilter
{
    /// <summary>Payment product groups, e.g. <c>cards</c>.</summary>
    public IList<string>? Groups { get; set; }

    /// <summary>Payment product ids, e.g. 1 (Visa).</summary>
    public IList<int>? Products { get; set; }
}
