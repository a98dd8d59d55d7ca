namespace ConnectEvents.ConnectApi;

/// <summary>The answer to create token from payment.</summary>
public sealed class CreateTokenResponse : ConnectObject
{
    /// <summary>The token id.</summary>
    public string? Token { get; set; }

    /// <summary>False when the card already had a token.</summary>
    public bool? IsNewToken { get; set; }

    /// <summary>The payment the token was made from.</summary>
    public string? OriginalPaymentId { get; set; }
}
