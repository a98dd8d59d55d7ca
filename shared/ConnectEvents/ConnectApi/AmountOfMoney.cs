namespace ConnectEvents.ConnectApi;

/// <summary>An amount in the smallest unit of a currency.</summary>
public sealed class AmountOfMoney : ConnectObject
{
    /// <summary>The amount in cents (or the currency's smallest unit).</summary>
    public long? Amount { get; set; }

    /// <summary>The ISO 4217 currency code.</summary>
    public string? CurrencyCode { get; set; }
}
