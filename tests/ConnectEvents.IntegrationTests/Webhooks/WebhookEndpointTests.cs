using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Messaging;

namespace ConnectEvents.IntegrationTests.Webhooks;

public sealed class WebhookEndpointTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly WebhookApp _app = new(azurite.ConnectionString);

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task SignedEventBecomesExactlyOneQueueMessageWithTheSameBytes()
    {
        var body = SampleEvents.Build("payment.pending_capture", "1234", "pay-1", "evt-" + Guid.NewGuid());

        using var response = await _app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = Assert.Single(await _app.PeekAllAsync());
        Assert.Equal(body, message.Body.ToArray());
    }

    [Fact]
    public async Task TheKnownAnswerVectorIsAcceptedOverHttpAndAByteChangedCopyIsNot()
    {
        // The same vector as the verifier's unit test, computed independently (Python hmac/hashlib), not by our signer:
        // through Kestrel and the ASP.NET Core integration the signature is checked over the bytes exactly as received.
        var body = Encoding.UTF8.GetBytes("{\"apiVersion\":\"v1\",\"id\":\"evt-1\",\"merchantId\":\"1234\",\"type\":\"payment.paid\",\"payment\":{\"id\":\"p1\"}}");
        const string signature = "SWjJI3J1A21mGNkSmQy4KRBJ7wReamYXMp4CFS4oVhQ=";
        await using var app = new WebhookApp(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Webhooks:SecretKeys:0:KeyId"] = "key-2026",
            ["Webhooks:SecretKeys:0:Secret"] = "known-secret",
        });
        using var client = app.CreateAnonymousClient();

        async Task<HttpStatusCode> Send(byte[] bytes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Functions.Webhooks.ConnectWebhook.Route) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            request.Headers.TryAddWithoutValidation("X-GCS-Signature", signature);
            request.Headers.TryAddWithoutValidation("X-GCS-KeyId", "key-2026");
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Send(body));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send([.. body, (byte)'\n'])); // one trailing newline more
        Assert.Equal(body, Assert.Single(await app.PeekAllAsync()).Body.ToArray());
    }

    [Fact]
    public async Task DuplicatePostsOfOneEventAreBothAcknowledged()
    {
        var body = SampleEvents.Build("payment.paid", "1234", "pay-2", "evt-dup");

        using var first = await _app.PostSignedAsync(body);
        using var second = await _app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, (await _app.PeekAllAsync()).Length);
    }

    [Fact]
    public async Task UnsupportedApiVersionIsQuarantinedDurablyAndAcknowledged()
    {
        var body = Encoding.UTF8.GetBytes("{\"apiVersion\":\"v2\",\"id\":\"evt-v2\",\"merchantId\":\"1234\",\"type\":\"payment.paid\"}\r\n");

        using var response = await _app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await _app.PeekAllAsync());
        var container = new BlobContainerClient(azurite.ConnectionString, _app.QuarantineContainer);
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        var entry = await new BlobQuarantineStore(container).ReadAsync(Assert.Single(blobs), CancellationToken.None);
        Assert.NotNull(entry);
        Assert.Contains("unsupported apiVersion 'v2'", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(body, entry.Body);
        Assert.Equal(WebhookApp.KeyId, entry.KeyId);
        Assert.DoesNotContain(entry.Headers.Keys, k => k.Equals("X-GCS-Signature", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(_app.Logs.GetSnapshot(), l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("quarantined", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongSecretGets401WithAnEmptyBodyAndNothingIsStored()
    {
        var body = SampleEvents.Build("payment.paid", "1234", "pay-3");

        using var response = await _app.PostSignedAsync(body, secret: "guessed");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(await _app.PeekAllAsync());
    }

    [Fact]
    public async Task UnknownKeyIdGets401AndTheLogNamesTheKeyIdButNotTheSecret()
    {
        var body = SampleEvents.Build("payment.paid", "1234", "pay-4");

        using var response = await _app.PostSignedAsync(body, keyId: "rotated-away");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var line = Assert.Single(_app.Logs.GetSnapshot(), l => l.Category == typeof(ConnectEvents.Webhooks.WebhookIngress).FullName && l.Message.Contains("401", StringComparison.Ordinal));
        Assert.Contains("UnknownKeyId", line.Message, StringComparison.Ordinal);
        Assert.Contains("rotated-away", line.Message, StringComparison.Ordinal);
        // Anyone can send these as fast as they like: Debug, not Warning (the rejected counter is what operators watch).
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, line.Level);
    }

    [Fact]
    public async Task MissingHeadersGet401()
    {
        using var client = _app.CreateClient();
        using var response = await client.PostAsync(Functions.Webhooks.ConnectWebhook.Route,
            new ByteArrayContent(SampleEvents.Build("payment.paid", "1234", "pay-5")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task EndpointVerificationEchoesTheHeaderAsPlainText()
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Functions.Webhooks.ConnectWebhook.Route);
        request.Headers.TryAddWithoutValidation("X-GCS-Webhooks-Endpoint-Verification", "a1b2-c3d4");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("a1b2-c3d4", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetWithoutTheVerificationHeaderIs400NamingTheHeader()
    {
        using var client = _app.CreateClient();
        using var response = await client.GetAsync(Functions.Webhooks.ConnectWebhook.Route);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("X-GCS-Webhooks-Endpoint-Verification", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task OtherMethodsGet405(string method)
    {
        using var client = _app.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), Functions.Webhooks.ConnectWebhook.Route));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task BodyOverTheLimitGets413()
    {
        await using var small = new WebhookApp(azurite.ConnectionString, new Dictionary<string, string?> { ["Webhooks:MaxBodyBytes"] = "2048" });
        var body = new byte[4096];

        using var response = await small.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await small.PeekAllAsync());
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimitGets413()
    {
        await using var small = new WebhookApp(azurite.ConnectionString, new Dictionary<string, string?> { ["Webhooks:MaxBodyBytes"] = "2048" });
        using var client = small.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Functions.Webhooks.ConnectWebhook.Route)
        {
            Content = new StreamContent(new UnknownLengthStream(new byte[10_000])),
        };
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", "x");
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", WebhookApp.KeyId);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task AFullRunLogsNeitherTheSecretNorASignature()
    {
        var body = SampleEvents.Build("payment.pending_capture", "1234", "pay-6");
        var signature = ConnectEvents.Webhooks.WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(WebhookApp.Secret));
        (await _app.PostSignedAsync(body)).Dispose();
        (await _app.PostSignedAsync(body, secret: "wrong")).Dispose();
        (await _app.PostSignedAsync("{}"u8.ToArray())).Dispose();

        var all = string.Join('\n', _app.Logs.GetSnapshot().Select(l => l.Message + " " + l.Exception));
        Assert.NotEmpty(all);
        Assert.DoesNotContain(WebhookApp.Secret, all, StringComparison.Ordinal);
        Assert.DoesNotContain(signature, all, StringComparison.Ordinal);
    }
}
