namespace ConnectEvents.Platform3;

/// <summary>The verdict on a notification URL; merchant, reference and key id are set only when it is valid.</summary>
/// <param name="Failure">Why it was refused, or <see cref="NotificationUrlFailure.None"/>.</param>
/// <param name="MerchantId">The merchant the URL was minted for.</param>
/// <param name="Reference">The merchant's payment reference.</param>
/// <param name="KeyId">The key that minted it.</param>
public sealed record NotificationUrlVerification(NotificationUrlFailure Failure, string? MerchantId = null, string? Reference = null, string? KeyId = null)
{
    /// <summary>True when the URL is one we minted and it has not expired.</summary>
    public bool IsValid => Failure == NotificationUrlFailure.None;
}
