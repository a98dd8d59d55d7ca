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

/// <summary>One webhook secret key as configured in Worldline's Configuration Center.</summary>
public sealed class WebhookSecretKey
{
    /// <summary>The key id Worldline sends in X-GCS-KeyId.</summary>
    public string? KeyId { get; set; }

    /// <summary>The secret key (never logged).</summary>
    public string? Secret { get; set; }
}

/// <summary>
/// Where the Key Vault-backed key store finds webhook secrets (section <c>Webhooks:KeyVault</c>). The vault is an
/// identity-based connection read by <see cref="IdentityConnection"/>: <c>Webhooks__KeyVault__VaultUri</c>, with
/// <c>Webhooks__KeyVault__clientId</c> for a user-assigned identity or <c>Webhooks__KeyVault__credential</c> =
/// <c>managedidentity</c> for the system-assigned one.
/// </summary>
public sealed class KeyVaultOptions
{
    /// <summary>The name of the Key Vault connection.</summary>
    public const string ConnectionName = "Webhooks__KeyVault";

    /// <summary>The setting of the connection that holds the vault's URI.</summary>
    public const string VaultUriKey = "VaultUri";

    /// <summary>The vault, e.g. https://kv-connect.vault.azure.net/; empty disables the Key Vault store.</summary>
    public string? VaultUri { get; set; }

    /// <summary>Prefix of the secret names that hold webhook keys (see <see cref="KeyVaultSecretKeyStore.SecretNameFor"/>).</summary>
    public string SecretPrefix { get; set; } = "webhook-key-";

    /// <summary>How long fetched secrets and the list of known key ids are cached.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The shortest time between two re-listings of the vault caused by unknown key ids.</summary>
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);
}
