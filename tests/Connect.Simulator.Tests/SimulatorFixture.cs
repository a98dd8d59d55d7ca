using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Connect.Simulator.Tests;

/// <summary>One simulator per test (xunit makes a class instance per test), with a client that signs like a Connect SDK.</summary>
public abstract class SimulatorTestBase : IAsyncLifetime, IDisposable
{
    protected const string Merchant = "1234";

    private HttpClient? _http;
    private SimulatorHost? _host;

    protected SimulatorHost Host => _host ?? throw new InvalidOperationException("not started");

    protected SimulatorState State => Host.State;

    protected HttpClient Http => _http ?? throw new InvalidOperationException("not started");

    /// <summary>The clock the signer puts in Date.</summary>
    protected virtual DateTimeOffset Now => DateTimeOffset.UtcNow;

    public async Task InitializeAsync()
    {
        _host = await SimulatorHost.StartAsync(CreateOptions());
        _http = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http?.Dispose();
        }
    }

    protected virtual SimulatorOptions CreateOptions() => new();

    /// <summary>A request to the simulator, not yet signed; <paramref name="json"/> goes as StringContent (Content-Type with charset, as HttpClient sends it).</summary>
    protected HttpRequestMessage Request(HttpMethod method, string pathAndQuery, string? json = null, string? idempotenceKey = null)
    {
        var request = new HttpRequestMessage(method, new Uri(Host.BaseAddress, pathAndQuery));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.TryAddWithoutValidation("X-GCS-ServerMetaInfo", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"sdkCreator\":\"tests\"}")));
        if (idempotenceKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-GCS-Idempotence-Key", idempotenceKey);
        }

        return request;
    }

    /// <summary>Signs with the default key pair (or the given one) and sends.</summary>
    protected async Task<HttpResponseMessage> SendSignedAsync(
        HttpMethod method,
        string pathAndQuery,
        string? json = null,
        string? idempotenceKey = null,
        string keyId = SimulatorHost.DefaultApiKeyId,
        string secret = SimulatorHost.DefaultSecretApiKey,
        HttpClient? client = null)
    {
        using var request = Request(method, pathAndQuery, json, idempotenceKey);
        TestSigner.Sign(request, keyId, secret, Now);
        return await (client ?? Http).SendAsync(request);
    }

    protected Task<HttpResponseMessage> CaptureAsync(string paymentId, string? json = null, string? idempotenceKey = null) =>
        SendSignedAsync(HttpMethod.Post, $"v1/{Merchant}/payments/{paymentId}/capture", json ?? "{}", idempotenceKey);

    protected static async Task<JsonObject> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return Assert.IsType<JsonObject>(JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Asserts a Connect error body with exactly one error and returns it.</summary>
    protected static async Task<JsonObject> SingleErrorAsync(HttpResponseMessage response, int status, string code, string id)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await JsonAsync(response);
        Assert.False(string.IsNullOrEmpty(body["errorId"]?.GetValue<string>()));
        var error = Assert.IsType<JsonObject>(Assert.Single(Assert.IsType<JsonArray>(body["errors"])));
        Assert.Equal(code, error["code"]?.GetValue<string>());
        Assert.Equal(id, error["id"]?.GetValue<string>());
        Assert.Equal(status, error["httpStatusCode"]?.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(error["category"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(error["message"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(error["requestId"]?.GetValue<string>()));
        return error;
    }

    protected static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    protected static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
