namespace ConnectEvents.ConnectApi;

/// <summary>The body of create token from payment.</summary>
public sealed class TokenizePaymentRequest : ConnectObject
{
    /// <summary>An alias shown to the customer; never sensitive data.</summary>
    public string? Alias { get; set; }
}
