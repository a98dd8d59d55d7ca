namespace ConnectEvents.Processing;

/// <summary>When to turn a payment's card into a reusable token, and whose token it is.</summary>
public sealed class TokenizeOptions
{
    /// <summary>Tokenize at all (<c>Processing__Tokenize__Enabled</c>; off by default, on in the sample settings).</summary>
    public bool Enabled { get; set; }

    /// <summary>Payment statuses (as read from Connect, not from the event) that are tokenized.</summary>
    public IList<string> Statuses { get; set; } = [];

    /// <summary>Payment methods that are tokenized (Connect's paymentOutput.paymentMethod).</summary>
    public IList<string> PaymentMethods { get; set; } = [];

    /// <summary>
    /// Where the customer reference is read in the payment, as a dotted path; by default the merchant reference the
    /// merchant set when it created the payment. A payment without it is not tokenized.
    /// </summary>
    public string CustomerReferencePath { get; set; } = "paymentOutput.references.merchantReference";

    /// <summary>The statuses used when none are configured.</summary>
    public static IReadOnlyList<string> DefaultStatuses { get; } = ["CAPTURED", "PAID"];

    /// <summary>The payment methods used when none are configured.</summary>
    public static IReadOnlyList<string> DefaultPaymentMethods { get; } = ["card"];
}
