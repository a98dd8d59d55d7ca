using System.ComponentModel.DataAnnotations;
using ConnectEvents.Identity;

namespace ConnectEvents.Webhooks;

/// <summary>Settings of the webhook endpoint (configuration section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Webhooks";

    /// <summary>Secret keys from configuration (<c>Webhooks__SecretKeys__0__KeyId</c>, <c>Webhooks__SecretKeys__0__Secret</c>, …); all are live.</summary>
    public IList<WebhookSecretKey> SecretKeys { get; } = [];

    /// <summary>Key Vault-backed key store; when <see cref="KeyVaultOptions.VaultUri"/> is set it is used in addition to <see cref="SecretKeys"/>.</summary>
    public KeyVaultOptions KeyVault { get; set; } = new();

    /// <summary>The largest body accepted, in bytes; larger requests get 413 without being read whole. Default 1 MiB.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Blob container that keeps signed events that could not be used (bad JSON, wrong apiVersion, …).</summary>
    public string QuarantineContainer { get; set; } = "connect-events-quarantine";

    /// <summary>Seconds Worldline is told to wait (Retry-After) when the event could not be stored.</summary>
    public int RetryAfterSeconds { get; set; } = 30;

    /// <summary>
    /// Checks at start-up that some key can verify a webhook and that every setting is usable, naming each setting to fix
    /// (all rules are here, not partly in attributes, so that one failure does not hide the others).
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var vaultUri = KeyVault.VaultUri;
        if (string.IsNullOrWhiteSpace(vaultUri) && !SecretKeys.Any(k => !string.IsNullOrEmpty(k.KeyId) && !string.IsNullOrEmpty(k.Secret)))
        {
            yield return new ValidationResult("No webhook secret key is configured: set Webhooks__SecretKeys__0__KeyId and Webhooks__SecretKeys__0__Secret, or Webhooks__KeyVault__VaultUri.");
        }

        if (!SecretKeys.All(k => string.IsNullOrEmpty(k.KeyId) == string.IsNullOrEmpty(k.Secret)))
        {
            yield return new ValidationResult("Every Webhooks__SecretKeys__<n> entry needs both KeyId and Secret.");
        }

        if (!string.IsNullOrWhiteSpace(vaultUri) && !IdentityConnection.TryParseServiceUri(vaultUri, out _))
        {
            yield return new ValidationResult(IdentityConnection.NotAServiceUri($"{KeyVaultOptions.ConnectionName}__{KeyVaultOptions.VaultUriKey}"));
        }

        if (KeyVault.CacheDuration <= TimeSpan.Zero || KeyVault.MaxStaleness < KeyVault.CacheDuration)
        {
            yield return new ValidationResult("Webhooks__KeyVault__CacheDuration must be positive and Webhooks__KeyVault__MaxStaleness not shorter than it.");
        }

        if (KeyVault.Timeout <= TimeSpan.Zero || KeyVault.Timeout > TimeSpan.FromMinutes(1) || KeyVault.AttemptTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Webhooks__KeyVault__Timeout (at most 00:01:00) and Webhooks__KeyVault__AttemptTimeout must be positive durations (e.g. 00:00:03).");
        }

        if (MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            yield return new ValidationResult("Webhooks__MaxBodyBytes must be between 1024 and 67108864.");
        }

        if (RetryAfterSeconds is < 1 or > 3600)
        {
            yield return new ValidationResult("Webhooks__RetryAfterSeconds must be between 1 and 3600.");
        }
    }
}
