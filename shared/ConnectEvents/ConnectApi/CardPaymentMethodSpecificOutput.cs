namespace ConnectEvents.ConnectApi;

/// <summary>Card-specific payment output.</summary>
public sealed class CardPaymentMethodSpecificOutput : ConnectObject
{
    /// <summary>The payment product id (1 = Visa, 3 = MasterCard, …).</summary>
    public int? PaymentProductId { get; set; }

    /// <summary>The card.</summary>
    public CardOutput? Card { get; set; }

    /// <summary>The token created with the payment, if any.</summary>
    public string? Token { get; set; }
}
