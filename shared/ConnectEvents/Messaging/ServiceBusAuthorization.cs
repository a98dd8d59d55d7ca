using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Identity;
using ConnectEvents.Identity;

namespace ConnectEvents.Messaging;

/// <summary>Supplies the <c>Authorization</c> header value for Service Bus REST calls, cached until shortly before it expires.</summary>
internal interface IServiceBusTokenSource
{
    /// <summary>The header value, e.g. <c>Bearer eyJ…</c> or <c>SharedAccessSignature sr=…</c>.</summary>
    ValueTask<string> GetAuthorizationAsync(CancellationToken cancellationToken);

    /// <summary>Drops the cached token (the broker answered 401), so the next call fetches a fresh one.</summary>
    void Invalidate();
}

/// <summary>Caches one token and refreshes it, once for all concurrent callers, when it is within <see cref="RefreshMargin"/> of expiry.</summary>
internal abstract class CachedTokenSource(TimeProvider time) : IServiceBusTokenSource, IDisposable
{
    /// <summary>How long before expiry a token is replaced.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Token? _current;

    protected TimeProvider Time { get; } = time;

    public async ValueTask<string> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && Time.GetUtcNow() < current.RefreshAt)
        {
            return current.Value;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = _current;
            if (current is null || Time.GetUtcNow() >= current.RefreshAt)
            {
                current = await CreateAsync(cancellationToken);
                _current = current;
            }

            return current.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate() => _current = null;

    public void Dispose() => _gate.Dispose();

    /// <summary>Fetches or computes a new token.</summary>
    protected abstract Task<Token> CreateAsync(CancellationToken cancellationToken);

    /// <summary>A header value and when to stop using it.</summary>
    internal sealed record Token(string Value, DateTimeOffset RefreshAt);
}

/// <summary>Microsoft Entra tokens for Service Bus from an Azure.Identity credential (managed identity in Azure).</summary>
internal sealed class EntraTokenSource(TokenCredential credential, TimeProvider time) : CachedTokenSource(time)
{
    /// <summary>The token scope of Azure Service Bus.</summary>
    public const string Scope = "https://servicebus.azure.net/.default";

    /// <summary>Builds the credential the connection asks for: a user-assigned or system-assigned managed identity, or the default chain.</summary>
    public static TokenCredential CredentialFor(ServiceBusConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return AzureCredentials.Create(connection.ClientId, connection.UseManagedIdentity ? AzureCredentials.ManagedIdentity : null);
    }

    protected override async Task<Token> CreateAsync(CancellationToken cancellationToken)
    {
        AccessToken token;
        try
        {
            token = await credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new EventPublishException(
                $"No Microsoft Entra token for Service Bus ({ex.GetType().Name}): check the app's managed identity and ServiceBusConnection__clientId.",
                ex, isConfigurationError: true);
        }

        // Refresh at the credential's hint when it gives one, otherwise a margin before expiry (never in the past).
        var refreshAt = token.RefreshOn ?? token.ExpiresOn - RefreshMargin;
        var now = Time.GetUtcNow();
        if (refreshAt <= now)
        {
            refreshAt = now + (token.ExpiresOn - now) / 2;
        }

        return new Token("Bearer " + token.Token, refreshAt);
    }
}

/// <summary>SAS tokens signed with a policy key from a connection string, valid for <see cref="Lifetime"/>.</summary>
internal sealed class SasTokenSource : CachedTokenSource
{
    /// <summary>How long each generated token is valid.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly string _resource;
    private readonly string _keyName;
    private readonly byte[] _key;

    /// <summary>Signs tokens for <paramref name="resource"/> (e.g. <c>https://ns.servicebus.windows.net/connect-events</c>).</summary>
    public SasTokenSource(string resource, string keyName, string key, TimeProvider time) : base(time)
    {
        _resource = resource;
        _keyName = keyName;
        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>
    /// The SAS header value: <c>SharedAccessSignature sr={enc(resource)}&amp;sig={enc(base64(HMAC-SHA256(key, enc(resource) + "\n" + expiry)))}&amp;se={expiry}&amp;skn={keyName}</c>,
    /// expiry in seconds since the Unix epoch.
    /// </summary>
    public static string Build(string resource, string keyName, byte[] key, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var encodedResource = WebUtility.UrlEncode(resource);
        var expiry = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
        return $"SharedAccessSignature sr={encodedResource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}&skn={WebUtility.UrlEncode(keyName)}";
    }

    protected override Task<Token> CreateAsync(CancellationToken cancellationToken)
    {
        var expiresAt = Time.GetUtcNow() + Lifetime;
        return Task.FromResult(new Token(Build(_resource, _keyName, _key, expiresAt), expiresAt - RefreshMargin));
    }
}

/// <summary>A SAS token given whole in the connection string; used as is until the broker rejects it.</summary>
internal sealed class FixedTokenSource(string token) : IServiceBusTokenSource
{
    private const string Scheme = "SharedAccessSignature ";

    private readonly string _value = token.StartsWith(Scheme, StringComparison.Ordinal) ? token : Scheme + token;

    public ValueTask<string> GetAuthorizationAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_value);

    public void Invalidate()
    {
    }
}

/// <summary>Sets <c>Authorization</c> on every attempt (it runs inside the retry handler), so a retry after expiry carries a fresh token.</summary>
internal sealed class ServiceBusAuthorizationHandler(IServiceBusTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var value = await tokens.GetAuthorizationAsync(cancellationToken);
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        request.Headers.Authorization = new AuthenticationHeaderValue(value[..space], value[(space + 1)..]);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            tokens.Invalidate();
        }

        return response;
    }
}
