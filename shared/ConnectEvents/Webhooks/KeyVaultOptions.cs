using ConnectEvents.Identity;

namespace ConnectEvents.Webhooks;

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

    /// <summary>
    /// The longest a cached secret is served, counted from when it was fetched, while Key Vault cannot be read; past it the
    /// webhook answers 503 (Worldline redelivers) instead of trusting a key the vault may have removed meanwhile.
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The whole budget of one Key Vault lookup (listing or reading, retries and the credential included), so that a
    /// webhook waiting for its key still answers well inside the time Worldline waits.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>One Key Vault attempt (the SDK's network timeout); the retries are sized so that all of them fit <see cref="Timeout"/>.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
