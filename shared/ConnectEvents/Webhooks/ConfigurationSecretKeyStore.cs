using System.Collections.Frozen;
using System.Text;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Webhooks;

/// <summary>Secret keys from configuration (<c>Webhooks:SecretKeys</c>); reloaded when configuration changes.</summary>
public sealed class ConfigurationSecretKeyStore : ISecretKeyStore, IDisposable
{
    private volatile FrozenDictionary<string, byte[]> _keys;
    private readonly IDisposable? _subscription;

    /// <summary>Builds the store from the current options and follows later changes.</summary>
    public ConfigurationSecretKeyStore(IOptionsMonitor<WebhookOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = Build(options.CurrentValue);
        _subscription = options.OnChange(o => _keys = Build(o));
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> GetSecretAsync(string keyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_keys.GetValueOrDefault(keyId));

    /// <inheritdoc />
    public void Dispose() => _subscription?.Dispose();

    private static FrozenDictionary<string, byte[]> Build(WebhookOptions options) =>
        options.SecretKeys
            .Where(k => !string.IsNullOrEmpty(k.KeyId) && !string.IsNullOrEmpty(k.Secret))
            .GroupBy(k => k.KeyId!, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => Encoding.UTF8.GetBytes(g.Last().Secret!), StringComparer.Ordinal);
}
