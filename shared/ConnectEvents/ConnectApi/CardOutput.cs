namespace ConnectEvents.ConnectApi;

/// <summary>A card as the API shows it (number obfuscated).</summary>
public sealed class CardOutput : ConnectObject
{
    /// <summary>The obfuscated card number.</summary>
    public string? CardNumber { get; set; }

    /// <summary>The expiry date (MMYY).</summary>
    public string? ExpiryDate { get; set; }
}
