namespace ConnectEvents.ConnectApi;

/// <summary>The merchant's references of a payment.</summary>
public sealed class PaymentReferences : ConnectObject
{
    /// <summary>The merchant's own reference (by default our customer reference for the token vault).</summary>
    public string? MerchantReference { get; set; }

    /// <summary>The merchant's order id.</summary>
    public long? MerchantOrderId { get; set; }
}
