using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.UnitTests.Webhooks;

/// <summary>The Key Vault store through the SDK's real pipeline, with the HTTP transport swapped for an in-memory vault.</summary>
public sealed class KeyVaultSecretKeyStoreTests : IDisposable
{
    private readonly FakeVault _vault = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private static readonly string[] FourKeyIds = ["k1", "k2", "k3", "k4"];
    private readonly KeyVaultSecretKeyStore _store;

    public KeyVaultSecretKeyStoreTests()
    {
        var options = new SecretClientOptions { Transport = new HttpClientTransport(new HttpClient(_vault)) };
        options.Retry.MaxRetries = 0;
        var client = new SecretClient(new Uri("https://kv-test.vault.azure.net/"), new FakeCredential(), options);
        _store = new KeyVaultSecretKeyStore(client, new KeyVaultOptions(), _time, NullLogger<KeyVaultSecretKeyStore>.Instance);
    }

    public void Dispose()
    {
        _store.Dispose();
        _vault.Dispose();
    }

    [Theory]
    [InlineData("abc-123", "webhook-key-abc-123")]
    [InlineData("ABC", "webhook-key-x-414243")]
    [InlineData("x-1", "webhook-key-x-782d31")]
    [InlineData("a b", "webhook-key-x-612062")]
    public void SecretNamesAreValidKeyVaultNamesAndDistinctPerKeyId(string keyId, string expected) =>
        Assert.Equal(expected, KeyVaultSecretKeyStore.SecretNameFor(keyId));

    [Fact]
    public async Task KnownKeyIsFetchedOnceThenServedFromCache()
    {
        _vault.Secrets["webhook-key-k1"] = "secret-one";

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("secret-one"u8.ToArray(), await _store.GetSecretAsync("k1", CancellationToken.None));
        }

        Assert.Equal(1, _vault.GetCalls);
        Assert.Equal(1, _vault.ListCalls);
    }

    [Fact]
    public async Task RandomUnknownKeyIdsDoNotCallKeyVaultPerRequest()
    {
        _vault.Secrets["webhook-key-k1"] = "secret-one";
        Assert.NotNull(await _store.GetSecretAsync("k1", CancellationToken.None));

        for (var i = 0; i < 500; i++)
        {
            Assert.Null(await _store.GetSecretAsync("attacker-" + i, CancellationToken.None));
        }

        Assert.Equal(1, _vault.ListCalls);
        Assert.Equal(1, _vault.GetCalls);
    }

    [Fact]
    public async Task AKeyAddedToTheVaultIsFoundAfterTheRefreshInterval()
    {
        _vault.Secrets["webhook-key-old"] = "old";
        Assert.Null(await _store.GetSecretAsync("new", CancellationToken.None));

        _vault.Secrets["webhook-key-new"] = "fresh";
        Assert.Null(await _store.GetSecretAsync("new", CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("fresh"u8.ToArray(), await _store.GetSecretAsync("new", CancellationToken.None));
        Assert.Equal(2, _vault.ListCalls);
    }

    [Fact]
    public async Task DisabledSecretsAreNotKeys()
    {
        _vault.Secrets["webhook-key-off"] = "x";
        _vault.Disabled.Add("webhook-key-off");
        Assert.Null(await _store.GetSecretAsync("off", CancellationToken.None));
    }

    [Fact]
    public async Task VaultOutageServesTheCachedSecret()
    {
        _vault.Secrets["webhook-key-k1"] = "secret-one";
        Assert.NotNull(await _store.GetSecretAsync("k1", CancellationToken.None));

        _vault.Down = true;
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("secret-one"u8.ToArray(), await _store.GetSecretAsync("k1", CancellationToken.None));
    }

    [Fact]
    public async Task VaultOutageWithNothingCachedIsUnavailableNotUnknown()
    {
        _vault.Down = true;
        await Assert.ThrowsAsync<SecretKeyStoreUnavailableException>(() => _store.GetSecretAsync("k1", CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task ConcurrentLookupsAfterExpiryShareOneKeyVaultFetch()
    {
        _vault.Secrets["webhook-key-k1"] = "secret-one";
        Assert.NotNull(await _store.GetSecretAsync("k1", CancellationToken.None));
        _vault.Secrets["webhook-key-k1"] = "secret-two";
        _time.Advance(TimeSpan.FromMinutes(6)); // past CacheDuration: both the value and the key list are due

        _vault.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookups = Enumerable.Range(0, 20).Select(_ => _store.GetSecretAsync("k1", CancellationToken.None).AsTask()).ToArray();
        _vault.Gate.SetResult();
        var values = await Task.WhenAll(lookups);

        Assert.All(values, v => Assert.Equal("secret-two"u8.ToArray(), v));
        Assert.Equal(2, _vault.GetCalls);
        Assert.Equal(2, _vault.ListCalls);
    }

    [Fact]
    public async Task ConcurrentLookupsOfDifferentKeysDuringAnOutageShareOneListing()
    {
        foreach (var id in FourKeyIds)
        {
            _vault.Secrets["webhook-key-" + id] = "secret-" + id;
        }

        foreach (var id in FourKeyIds)
        {
            Assert.NotNull(await _store.GetSecretAsync(id, CancellationToken.None));
        }

        _vault.Down = true;
        _time.Advance(TimeSpan.FromMinutes(6));
        _vault.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookups = FourKeyIds.Select(id => _store.GetSecretAsync(id, CancellationToken.None).AsTask()).ToArray();
        _vault.Gate.SetResult();
        var values = await Task.WhenAll(lookups);

        Assert.Equal("secret-k3"u8.ToArray(), values[2]); // the stale values are still served
        Assert.Equal(2, _vault.ListCalls);
    }

    [Fact]
    public async Task ACallerThatGivesUpDoesNotCancelTheFetchOthersWaitFor()
    {
        _vault.Secrets["webhook-key-k1"] = "secret-one";
        _vault.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();
        var first = _store.GetSecretAsync("k1", impatient.Token).AsTask();
        var second = _store.GetSecretAsync("k1", CancellationToken.None).AsTask();

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        _vault.Gate.SetResult();

        Assert.Equal("secret-one"u8.ToArray(), await second);
        Assert.Equal(1, _vault.GetCalls);
    }

    private sealed class FakeCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("fake-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>Just enough of the Key Vault REST API: the auth challenge, list secrets, get secret.</summary>
    private sealed class FakeVault : HttpMessageHandler
    {
        private int _listCalls;
        private int _getCalls;

        public Dictionary<string, string> Secrets { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<string> Disabled { get; } = new(StringComparer.OrdinalIgnoreCase);

        public bool Down { get; set; }

        /// <summary>When set, list and get calls (counted, up or down) wait for it before answering.</summary>
        public TaskCompletionSource? Gate { get; set; }

        public int ListCalls => Volatile.Read(ref _listCalls);

        public int GetCalls => Volatile.Read(ref _getCalls);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is null && !Down)
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("") };
                challenge.Headers.TryAddWithoutValidation("WWW-Authenticate",
                    "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"");
                return challenge;
            }

            var path = request.RequestUri!.AbsolutePath.TrimEnd('/');
            var vault = request.RequestUri.GetLeftPart(UriPartial.Authority);
            var isList = path == "/secrets";
            Interlocked.Increment(ref isList ? ref _listCalls : ref _getCalls);
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            if (Down)
            {
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = Json(new { error = new { code = "Down", message = "down" } }) };
            }

            if (isList)
            {
                var items = Secrets.Keys.Select(name => new
                {
                    id = $"{vault}/secrets/{name}",
                    attributes = new { enabled = !Disabled.Contains(name) },
                });
                return Ok(new { value = items, nextLink = (string?)null });
            }

            var name = path["/secrets/".Length..].Split('/')[0];
            return Secrets.TryGetValue(name, out var value)
                ? Ok(new { value, id = $"{vault}/secrets/{name}/v1", attributes = new { enabled = true } })
                : new HttpResponseMessage(HttpStatusCode.NotFound) { Content = Json(new { error = new { code = "SecretNotFound", message = "nope" } }) };
        }

        private static HttpResponseMessage Ok(object body) => new(HttpStatusCode.OK) { Content = Json(body) };

        private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
    }
}
