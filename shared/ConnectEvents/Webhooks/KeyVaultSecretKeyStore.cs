using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Webhooks;

/// <summary>
/// Webhook secret keys kept in Azure Key Vault, one secret per key id (name scheme: <see cref="SecretNameFor"/>).
/// The list of key ids is read by listing the vault's secret names (no values), cached, and re-listed at most
/// once per <see cref="KeyVaultOptions.UnknownKeyRefreshInterval"/> when an unknown key id arrives, so random key
/// ids sent by an attacker cost no Key Vault call each. Values are fetched on first use and cached. When a cached
/// value or the list expires, concurrent requests share one in-flight Key Vault call instead of each making their own.
/// </summary>
public sealed partial class KeyVaultSecretKeyStore : ISecretKeyStore, IDisposable
{
    private readonly SecretClient _client;
    private readonly KeyVaultOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyVaultSecretKeyStore> _logger;
    private readonly ConcurrentDictionary<string, CachedSecret> _values = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]?>>> _refreshes = new(StringComparer.Ordinal);
    private readonly Lock _listGate = new();
    // Shared Key Vault calls outlive any one request (a caller that gives up must not fail the others); they stop on Dispose.
    private readonly CancellationTokenSource _stopping = new();
    private Task? _listing;
    private volatile FrozenSet<string> _knownNames = FrozenSet<string>.Empty;
    private long _listedAtTicks; // 0 = never listed

    /// <summary>Creates the store over a Key Vault secret client.</summary>
    public KeyVaultSecretKeyStore(SecretClient client, KeyVaultOptions options, TimeProvider time, ILogger<KeyVaultSecretKeyStore> logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// The Key Vault secret name that holds the key <paramref name="keyId"/>: the prefix plus the key id itself when it
    /// is made of lower-case letters, digits and dashes (and does not start with <c>x-</c>); otherwise the prefix,
    /// <c>x-</c> and the lower-case hex of its UTF-8 bytes. Key Vault names are case-insensitive and allow only
    /// letters, digits and dashes, so this keeps distinct key ids in distinct secrets.
    /// </summary>
    public static string SecretNameFor(string keyId, string prefix = "webhook-key-")
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var plain = keyId.Length is > 0 and <= 100
                    && !keyId.StartsWith("x-", StringComparison.Ordinal)
                    && keyId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
        return plain ? prefix + keyId : prefix + "x-" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(keyId));
    }

    /// <inheritdoc />
    /// <exception cref="SecretKeyStoreUnavailableException">Key Vault could not be reached and nothing usable is cached.</exception>
    public ValueTask<byte[]?> GetSecretAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_values.TryGetValue(keyId, out var cached) && _time.GetUtcNow() - cached.FetchedAt < _options.CacheDuration)
        {
            return ValueTask.FromResult<byte[]?>(cached.Value); // the hot path: no allocation, no await
        }

        // One refresh per key id at a time; the entry is removed when it finishes, so the next expiry starts a new one.
        var refresh = _refreshes.GetOrAdd(keyId, static (id, self) => new Lazy<Task<byte[]?>>(() => self.RefreshAsync(id)), this);
        return new ValueTask<byte[]?>(refresh.Value.WaitAsync(cancellationToken));
    }

    private async Task<byte[]?> RefreshAsync(string keyId)
    {
        try
        {
            var now = _time.GetUtcNow();
            _values.TryGetValue(keyId, out var cached);
            if (cached is not null && now - cached.FetchedAt < _options.CacheDuration)
            {
                return cached.Value; // a refresh that finished just before this one started already did the work
            }

            var name = SecretNameFor(keyId, _options.SecretPrefix);
            var observed = Interlocked.Read(ref _listedAtTicks);
            var sinceListing = TimeSpan.FromTicks(now.UtcTicks - observed);
            var listingStale = sinceListing >= _options.CacheDuration;
            var mayRelistForUnknown = sinceListing >= _options.UnknownKeyRefreshInterval;
            Exception? listFailure = null;
            if (listingStale || (!_knownNames.Contains(name) && mayRelistForUnknown))
            {
                listFailure = await RelistAsync(observed, cached);
            }

            if (!_knownNames.Contains(name))
            {
                _values.TryRemove(keyId, out _);
                return null;
            }

            if (listFailure is not null)
            {
                // The vault just failed to list: reading from it now would spend a second budget on the same outage.
                return StaleOrThrow(cached, listFailure, now);
            }

            using var budget = Budget();
            try
            {
                var secret = await _client.GetSecretAsync(name, cancellationToken: budget.Token);
                var value = Encoding.UTF8.GetBytes(secret.Value.Value ?? string.Empty);
                _values[keyId] = new CachedSecret(value, now);
                return value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
            catch (Exception ex) when (IsVaultFailure(ex))
            {
                return StaleOrThrow(cached, ex, now);
            }
        }
        finally
        {
            _refreshes.TryRemove(keyId, out _);
        }
    }

    /// <summary>Re-lists the vault (or joins the listing in flight); returns the vault's failure when the listing failed but the last good list still serves.</summary>
    private async Task<Exception?> RelistAsync(long observedListedAtTicks, CachedSecret? cached)
    {
        Task listing;
        lock (_listGate)
        {
            if (Interlocked.Read(ref _listedAtTicks) != observedListedAtTicks)
            {
                return null; // another refresh re-listed since this one looked
            }

            // Refreshes of different key ids share the listing in flight; a finished one (success or failure) is not reused.
            listing = _listing is { IsCompleted: false } running ? running : _listing = ListAsync();
        }

        try
        {
            await listing;
            return null;
        }
        catch (Exception ex) when (IsVaultFailure(ex))
        {
            // Keep serving the last good list; an outage must not turn known keys into "unknown" (401).
            if (_knownNames.Count == 0 && cached is null)
            {
                throw new SecretKeyStoreUnavailableException("Key Vault could not be listed: " + Describe(ex), ex);
            }

            return ex;
        }
    }

    private async Task ListAsync()
    {
        using var budget = Budget();
        try
        {
            var names = new List<string>();
            await foreach (var properties in _client.GetPropertiesOfSecretsAsync(budget.Token))
            {
                if (properties.Enabled != false && properties.Name.StartsWith(_options.SecretPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    names.Add(properties.Name);
                }
            }

            _knownNames = names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
            Interlocked.Exchange(ref _listedAtTicks, _time.GetUtcNow().UtcTicks);
            LogListed(_logger, names.Count);
        }
        catch (Exception ex) when (IsVaultFailure(ex))
        {
            LogListFailed(_logger, Describe(ex)); // once per failed listing, not once per waiting request
            throw;
        }
    }

    private byte[] StaleOrThrow(CachedSecret? cached, Exception ex, DateTimeOffset now)
    {
        if (cached is not null && now - cached.FetchedAt < _options.MaxStaleness)
        {
            LogServingStale(_logger, Describe(ex));
            return cached.Value;
        }

        throw new SecretKeyStoreUnavailableException(
            "Key Vault could not be read (" + Describe(ex) + ")" +
            (cached is null ? " and no secret is cached" : " and the cached secret is older than Webhooks__KeyVault__MaxStaleness"), ex);
    }

    /// <summary>One Key Vault call's budget (<see cref="KeyVaultOptions.Timeout"/>), also cancelled when the store stops.</summary>
    private CancellationTokenSource Budget()
    {
        var budget = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        budget.CancelAfter(_options.Timeout);
        return budget;
    }

    /// <summary>Stops Key Vault calls still in flight.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed record CachedSecret(byte[] Value, DateTimeOffset FetchedAt);

    /// <summary>
    /// Every way Key Vault can fail to answer: an HTTP status (5xx, 429, 403), a network error (Azure.Core throws an
    /// <see cref="AggregateException"/> of them once its retries are spent), a credential that gets no token, or the
    /// budget running out. Only the store's own stop is not a vault failure.
    /// </summary>
    private bool IsVaultFailure(Exception ex) => ex switch
    {
        RequestFailedException or AuthenticationFailedException or CredentialUnavailableException or HttpRequestException
            or AggregateException or IOException or TimeoutException => true,
        OperationCanceledException => !_stopping.IsCancellationRequested,
        _ => false,
    };

    /// <summary>A few safe words for a failure: its type, the HTTP status if any, never the vault's message (it can quote names).</summary>
    private static string Describe(Exception ex) => ex switch
    {
        AggregateException { InnerExceptions.Count: > 0 } a => $"{a.InnerExceptions.Count} tries failed, last: {Describe(a.InnerExceptions[^1])}",
        RequestFailedException { Status: > 0 } r => $"HTTP {r.Status}",
        RequestFailedException { InnerException: { } inner } => Describe(inner),
        OperationCanceledException => "no answer within Webhooks__KeyVault__Timeout",
        _ => ex.GetType().Name,
    };

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Key Vault webhook key list refreshed: {Count} key(s)")]
    private static partial void LogListed(ILogger logger, int count);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Key Vault could not be listed ({Error}); keeping the last known key ids")]
    private static partial void LogListFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Key Vault could not be read ({Error}); using the cached secret")]
    private static partial void LogServingStale(ILogger logger, string error);
}
