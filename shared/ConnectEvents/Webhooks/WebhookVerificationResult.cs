namespace ConnectEvents.Webhooks;

/// <summary>The outcome of <see cref="WebhookVerifier.VerifyAsync"/>.</summary>
/// <param name="Failure">Why it failed, or <see cref="WebhookFailure.None"/>.</param>
/// <param name="KeyId">The key id the request named (safe to log), when it named exactly one.</param>
public readonly record struct WebhookVerificationResult(WebhookFailure Failure, string? KeyId)
{
    /// <summary>True when the signature is valid.</summary>
    public bool IsValid => Failure == WebhookFailure.None;

    /// <summary>A verified request.</summary>
    public static WebhookVerificationResult Success(string keyId) => new(WebhookFailure.None, keyId);

    /// <summary>A rejected request.</summary>
    public static WebhookVerificationResult Fail(WebhookFailure failure, string? keyId) => new(failure, keyId);
}
