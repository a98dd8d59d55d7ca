namespace ConnectEvents.ConnectApi;

/// <summary>The output part of a payment.</summary>
public sealed class PaymentOutput : ConnectObject
{
    /// <summary>The amount.</summary>
    public AmountOfMoney? AmountOfMoney { get; set; }

    /// <summary>The merchant's references.</summary>
    public PaymentReferences? References { get; set; }

    /// <summary>The payment method (card, redirect, …).</summary>
    public string? PaymentMethod { get; set; }

    /// <summary>Card details when the method is card.</summary>
    public CardPaymentMethodSpecificOutput? CardPaymentMethodSpecificOutput { get; set; }
}
