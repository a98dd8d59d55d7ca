using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Webhooks;

/// <summary>Settings of the webhook endpoint (configuration section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Webhooks";

    /// <summary>Secret keys from configuration (<c>Webhooks__SecretKeys__0__KeyId</c>, <c>Webhooks__SecretKeys__0__Secret</c>, …); all are live.</summary>
    public IList<WebhookSecretKey> SecretKeys { get; } = [];

    /// <summary>Key Vault-backed key store; when <see cref="KeyVaultOptions.VaultUri"/> is set it is used in addition to <see cref="SecretKeys"/>.</summary>
    public KeyVaultOptions KeyVault { get; set; } = new();

    /// <summary>The largest body accepted, in bytes; larger requests get 413 without being read whole. Default 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Blob container that keeps signed events that could not be used (bad JSON, wrong apiVersion, …).</summary>
    public string QuarantineContainer { get; set; } = "connect-events-quarantine";

    /// <summary>Seconds Worldline is told to wait (Retry-After) when the event could not be stored.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 30;
}

/// <summary>One webhook secret key as configured in Worldline's Configuration Center.</summary>
public sealed class WebhookSecretKey
{
    /// <summary>The key id Worldline sends in X-GCS-KeyId.</summary>
    public string? KeyId { get; set; }

    /// <summary>The secret key (never logged).</summary>
    public string? Secret { get; set; }
}

/// <summary>Where the Key Vault-backed key store finds webhook secrets (section <c>Webhooks:KeyVault</c>).</summary>
public sealed class KeyVaultOptions
{
    /// <summary>The vault, e.g. https://kv-connect.vault.azure.net/; empty disables the Key Vault store.</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Prefix of the secret names that hold webhook keys (see <see cref="KeyVaultSecretKeyStore.SecretNameFor"/>).</summary>
    public string SecretPrefix { get; set; } = "webhook-key-";

    /// <summary>How long fetched secrets and the list of known key ids are cached.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The shortest time between two re-listings of the vault caused by unknown key ids.</summary>
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Client id of a user-assigned managed identity; empty uses <see cref="Credential"/>.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary><c>managedidentity</c> for the system-assigned identity when no client id is set; empty uses the default credential chain.</summary>
    public string? Credential { get; set; }
}

/// <summary>Checks the data annotations of <see cref="WebhookOptions"/> with code generated at compile time (trim and AOT safe).</summary>
[OptionsValidator]
internal sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;
