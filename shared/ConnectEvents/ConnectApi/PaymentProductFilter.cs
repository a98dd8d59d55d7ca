namespace ConnectEvents.ConnectApi;

/// <summary>Payment product ids and groups to restrict to or exclude.</summary>
public sealed class PaymentProductFilter : ConnectObject
{
    /// <summary>Product groups (currently only "cards").</summary>
    public IList<string>? Groups { get; set; }

    /// <summary>Payment product ids.</summary>
    public IList<int>? Products { get; set; }
}
