using System.Net;
using System.Text;
using System.Text.Json;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Processing;
using ConnectEvents.Tokens;

namespace ConnectEvents.IntegrationTests.Sessions;

/// <summary>The CreateClientSession and CustomerTokens functions against the simulator and Azurite.</summary>
public sealed class ClientSessionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string M = Pipeline.Merchant;

    [Fact]
    public async Task TheSessionOffersTheValidTokensAndTheVaultForgetsTheInvalidOne()
    {
        await using var p = await StartAsync();
        await StoreAsync(p, "cust-1", "tok-a", knownToConnect: true);
        await StoreAsync(p, "cust-1", "tok-b", knownToConnect: true);
        await StoreAsync(p, "cust-1", "tok-gone", knownToConnect: false);

        using var response = await PostSessionAsync(p, """{"customerReference":"cust-1"}""");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["tok-a", "tok-b"], json.RootElement.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.Equal(1, json.RootElement.GetProperty("removedInvalidTokens").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("clientSessionId").GetString()));
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("customerId").GetString()));
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("clientApiUrl").GetString()));
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("assetUrl").GetString()));
        var left = await p.Vault().ListAsync(M, "cust-1", CancellationToken.None);
        Assert.Equal(["tok-a", "tok-b"], left.Select(t => t.TokenId).Order());
        Assert.All(left, t => Assert.NotNull(t.LastUsedAt));
    }

    [Fact]
    public async Task FiltersArePassedThroughExactly()
    {
        await using var p = await StartAsync();

        using var response = await PostSessionAsync(p, """
            {"customerReference":"cust-2","paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[1,3]},"exclude":{"products":[117]}}}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(p.Simulator.State.Requests, r => r.Path.EndsWith("/sessions", StringComparison.Ordinal));
        Assert.Equal("""{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[1,3]},"exclude":{"products":[117]}}}""", sent.Body);
    }

    [Fact]
    public async Task ACustomerWithoutTokensGetsASessionWithNone()
    {
        await using var p = await StartAsync();

        using var response = await PostSessionAsync(p, """{"customerReference":"new-customer"}""");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(json.RootElement.GetProperty("tokens").EnumerateArray());
        Assert.Equal("{}", Assert.Single(p.Simulator.State.Requests, r => r.Path.EndsWith("/sessions", StringComparison.Ordinal)).Body);
    }

    [Theory]
    [InlineData("""{}""", "customerReference")]
    [InlineData("""{"customerReference":"   "}""", "customerReference")]
    [InlineData("""{"customerReference":"c","paymentProductFilters":{"restrictTo":{"products":[0]}}}""", "paymentProductFilters.restrictTo.products")]
    [InlineData("""{"customerReference":"c","paymentProductFilters":{"exclude":{"groups":["cards; drop"]}}}""", "paymentProductFilters.exclude.groups")]
    [InlineData("""{"customerReference":"c","merchantId":"12/34"}""", "merchantId")]
    [InlineData("""{"customerReference":"c","merchantId":"1234"}""", "merchantId")] // even the configured one: the merchant is not the caller's to name
    [InlineData("""{"customerReference":"a","customerReference":"alice"}""", "customerReference")]
    [InlineData("""{"customerReference":"a","CustomerReference":"alice"}""", "CustomerReference")]
    [InlineData("""{"customerReference":"c","paymentProductFilters":{"exclude":{"groups":["cards"]},"exclude":{"groups":[]}}}""", "paymentProductFilters.exclude")]
    [InlineData("""{"customerReference":"c","paymentProductFilters":{"restrictTo":{"products":[1],"products":[2]}}}""", "paymentProductFilters.restrictTo.products")]
    [InlineData("""{"customerReference":"c","other":1,"other":2}""", "other")]
    [InlineData("""{"customerReference":"c","unknown":1}""", "unknown")]
    [InlineData("""{"customerReference":" alice"}""", "customerReference")]
    [InlineData("""{"customerReference":"alice\t"}""", "customerReference")]
    [InlineData("""{"customerReference":"ali\u00ADce"}""", "customerReference")]
    [InlineData("""{"customerReference":"ali\u200Bce"}""", "customerReference")]
    [InlineData("""{"customerReference":"\u200Ealice"}""", "customerReference")]
    [InlineData("""{"customerReference":"alice\u202E"}""", "customerReference")]
    [InlineData("""{"customerReference":"\u2066alice\u2069"}""", "customerReference")]
    [InlineData("""{"customerReference":"\uFEFFalice"}""", "customerReference")]
    [InlineData("""{"customerReference":"ali\u0007ce"}""", "customerReference")]
    [InlineData("""{"customerReference":"ali\uD800ce"}""", "customerReference")]
    [InlineData("""{"customerReference":"alice\uDC00"}""", "customerReference")]
    [InlineData("""{"customerReference":"c","paymentProductFilters":{"restrictTo":{"products":"1"}}}""", "paymentProductFilters.restrictTo.products")]
    [InlineData("""not json""", "body")]
    public async Task BadInputGets400NamingTheField(string body, string field)
    {
        await using var p = await StartAsync();

        using var response = await PostSessionAsync(p, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        Assert.DoesNotContain(p.Simulator.State.Requests, r => r.Path.EndsWith("/sessions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABodyThatIsNotUtf8Gets400NamingTheBody()
    {
        await using var p = await StartAsync();
        using var content = new ByteArrayContent([.. "{\"customerReference\":\"ali"u8, 0xFF, 0xFE, .. "ce\"}"u8]);
        content.Headers.ContentType = new("application/json");

        using var response = await p.App.CreateClient().PostAsync("/api/sessions", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(text);
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty("body", out _), text);
        Assert.DoesNotContain(p.Simulator.State.Requests, r => r.Path.EndsWith("/sessions", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"customerId":"c1","clientApiUrl":"https://ca.example","assetUrl":"https://as.example"}""")]
    [InlineData("""{"clientSessionId":"","customerId":"c1","clientApiUrl":"https://ca.example","assetUrl":"https://as.example"}""")]
    [InlineData("""{"clientSessionId":"s1","clientApiUrl":"https://ca.example","assetUrl":"https://as.example"}""")]
    [InlineData("""{"clientSessionId":"s1","customerId":"c1","assetUrl":"https://as.example"}""")]
    [InlineData("""{"clientSessionId":"s1","customerId":"c1","clientApiUrl":"not a url","assetUrl":"https://as.example"}""")]
    [InlineData("""{"clientSessionId":"s1","customerId":"c1","clientApiUrl":"https://ca.example"}""")]
    public async Task AConnectSessionAnswerWithoutWhatTheContractPromisesIsA502AndTheVaultIsUntouched(string connectBody)
    {
        await using var p = await StartAsync();
        await StoreAsync(p, "cust-502", "tok-a", knownToConnect: true);
        p.Simulator.State.InjectFault("/sessions", Fault.Status(201, connectBody.Replace("}", ""","invalidTokens":["tok-a"]}""", StringComparison.Ordinal)));

        using var response = await PostSessionAsync(p, """{"customerReference":"cust-502"}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["tok-a"], (await p.Vault().ListAsync(M, "cust-502", CancellationToken.None)).Select(t => t.TokenId));
    }

    [Theory]
    [InlineData(401, HttpStatusCode.BadGateway)] // our credentials refused: ours to fix, not the caller's
    [InlineData(403, HttpStatusCode.BadGateway)]
    [InlineData(402, HttpStatusCode.BadGateway)]
    [InlineData(404, HttpStatusCode.BadGateway)]
    [InlineData(418, HttpStatusCode.BadGateway)]
    [InlineData(409, HttpStatusCode.Conflict)]
    [InlineData(500, HttpStatusCode.ServiceUnavailable)]
    [InlineData(504, HttpStatusCode.ServiceUnavailable)]
    public async Task ConnectErrorsAreAnsweredFromTheCallersPointOfView(int connectStatus, HttpStatusCode expected)
    {
        await using var p = await StartAsync(new Dictionary<string, string?> { ["Connect:MaxRetries"] = "0" });
        p.Simulator.State.InjectFault("/sessions", Fault.Status(connectStatus), times: 5);

        using var response = await PostSessionAsync(p, """{"customerReference":"cust-err"}""");

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected == HttpStatusCode.ServiceUnavailable, response.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task DeletingATokenConnectNoLongerHasForgetsIt()
    {
        await using var p = await StartAsync();
        await StoreAsync(p, "cust-gone", "tok-gone", knownToConnect: false);

        using var response = await p.App.CreateClient().DeleteAsync("/api/customers/cust-gone/tokens/tok-gone");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await p.Vault().ListAsync(M, "cust-gone", CancellationToken.None));
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitGets413WithAProblemBody()
    {
        await using var p = await StartAsync();
        // Valid JSON, so only the size limit can refuse it; no Content-Length, so only reading can find the size.
        var body = Encoding.UTF8.GetBytes("{\"customerReference\":\"" + new string('c', 200 * 1024) + "\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = new StreamContent(new UnknownLengthStream(body)) };
        request.Content.Headers.ContentType = new("application/json");

        using var response = await p.App.CreateClient().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("65536 bytes", text, StringComparison.Ordinal);
        Assert.DoesNotContain(p.Simulator.State.Requests, r => r.Path.EndsWith("/sessions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect503Gives503WithRetryAfter()
    {
        await using var p = await StartAsync(new Dictionary<string, string?> { ["Connect:MaxRetries"] = "0" });
        p.Simulator.State.InjectFault("/sessions", Fault.Status(503), times: 5);

        using var response = await PostSessionAsync(p, """{"customerReference":"cust-503"}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task AConnect4xxIsA4xxWithTheErrorIdsButNotTheMessages()
    {
        await using var p = await StartAsync();
        const string body = """{"errorId":"err-400","errors":[{"code":"21000020","id":"INVALID_VALUE","category":"CONNECT_PLATFORM_ERROR","httpStatusCode":400,"message":"internal detail not for users","propertyName":"paymentProductFilters"}]}""";
        p.Simulator.State.InjectFault("/sessions", Fault.Status(400, body));

        using var response = await PostSessionAsync(p, """{"customerReference":"cust-400"}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("err-400", text, StringComparison.Ordinal);
        Assert.Contains("21000020", text, StringComparison.Ordinal);
        Assert.Contains("INVALID_VALUE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("internal detail", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorsListAndDeleteTokensAndTheDeleteReachesConnect()
    {
        await using var p = await StartAsync();
        await StoreAsync(p, "cust-op", "tok-1", knownToConnect: true);
        await StoreAsync(p, "cust-op", "tok-2", knownToConnect: true);
        using var http = p.App.CreateClient();

        var listed = JsonDocument.Parse(await http.GetStringAsync("/api/customers/cust-op/tokens"));
        using var deleted = await http.DeleteAsync("/api/customers/cust-op/tokens/tok-1");
        using var missing = await http.DeleteAsync("/api/customers/cust-op/tokens/tok-1");

        Assert.Equal(2, listed.RootElement.GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.False(p.Simulator.State.HasToken(M, "tok-1"));
        Assert.True(p.Simulator.State.HasToken(M, "tok-2"));
        Assert.Equal(["tok-2"], (await p.Vault().ListAsync(M, "cust-op", CancellationToken.None)).Select(t => t.TokenId));
    }

    [Fact]
    public async Task DeletingATokenAnotherCustomerHoldsForgetsItForOneCustomerAndKeepsItAtConnect()
    {
        await using var p = await StartAsync();
        await StoreAsync(p, "cust-a", "tok-shared", knownToConnect: true);
        await StoreAsync(p, "cust-b", "tok-shared", knownToConnect: true);
        using var http = p.App.CreateClient();

        using var first = await http.DeleteAsync("/api/customers/cust-a/tokens/tok-shared");
        var keptAtConnect = p.Simulator.State.HasToken(M, "tok-shared");
        var heldByB = (await p.Vault().ListAsync(M, "cust-b", CancellationToken.None)).Select(t => t.TokenId).ToList();
        using var last = await http.DeleteAsync("/api/customers/cust-b/tokens/tok-shared");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.True(keptAtConnect, "the first customer's delete removed at Connect a token the second still holds");
        Assert.Equal(["tok-shared"], heldByB);
        Assert.Empty(await p.Vault().ListAsync(M, "cust-a", CancellationToken.None));
        Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
        Assert.False(p.Simulator.State.HasToken(M, "tok-shared"), "the last holder's delete must reach Connect");
    }

    [Theory]
    [InlineData("GET", "/api/customers/cust-op/tokens?merchantId=12%2F34", "merchantId")]
    [InlineData("GET", "/api/customers/cust-op/tokens?merchantId=1234", "merchantId")] // even the configured one
    [InlineData("DELETE", "/api/customers/cust-op/tokens/tok-1?merchantId=12%2F34", "merchantId")]
    [InlineData("GET", "/api/customers/%20cust-op/tokens", "customerReference")]
    [InlineData("GET", "/api/customers/cust-op%20/tokens", "customerReference")]
    [InlineData("GET", "/api/customers/cust%E2%80%8B-op/tokens", "customerReference")]
    [InlineData("GET", "/api/customers/cust%C2%AD-op/tokens", "customerReference")]
    [InlineData("DELETE", "/api/customers/%E2%80%AEcust-op/tokens/tok-1", "customerReference")]
    [InlineData("DELETE", "/api/customers/cust-op%09/tokens/tok-1", "customerReference")]
    [InlineData("DELETE", "/api/customers/cust-op/tokens/tok-1%20", "tokenId")]
    [InlineData("DELETE", "/api/customers/cust-op/tokens/tok%E2%80%8F-1", "tokenId")]
    [InlineData("DELETE", "/api/customers/cust-op/tokens/tok%EF%BB%BF-1", "tokenId")]
    [InlineData("DELETE", "/api/customers/cust-op/tokens/tok%07-1", "tokenId")]
    public async Task OperatorCallsWithAMerchantIdOrAMalformedReferenceGet400NamingIt(string method, string url, string field)
    {
        await using var p = await StartAsync();
        await StoreAsync(p, "cust-op", "tok-1", knownToConnect: true);

        using var response = await p.App.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        Assert.True(p.Simulator.State.HasToken(M, "tok-1"));
    }

    [Fact]
    public async Task FullLoopAPaidWebhookIsTokenizedAndTheNextSessionOffersTheToken()
    {
        await using var p = await StartAsync(new Dictionary<string, string?> { ["Processing:Tokenize:Enabled"] = "true" });
        p.Simulator.State.SeedPayment(M, "pay-loop", status: "PAID", merchantReference: "cust-loop");

        await ProcessingPipelineTests.PostAsync(p, SampleEvents.Build("payment.paid", M, "pay-loop", "evt-loop"));
        await p.WaitForStateAsync("evt-loop", ProcessingState.Completed);
        using var response = await PostSessionAsync(p, """{"customerReference":"cust-loop"}""");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var token = Assert.Single(json.RootElement.GetProperty("tokens").EnumerateArray()).GetString();
        Assert.Equal(1, p.Simulator.State.CountTokenizations(M, "pay-loop"));
        Assert.True(p.Simulator.State.HasToken(M, token!));
        Assert.Contains(token!, Assert.Single(p.Simulator.State.Requests, r => r.Path.EndsWith("/sessions", StringComparison.Ordinal)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTokenCapDropsTheOldestUnusedTokenInTheVaultAndAtConnect()
    {
        await using var p = await StartAsync(new Dictionary<string, string?>
        {
            ["Processing:Tokenize:Enabled"] = "true",
            ["TokenVault:MaxTokensPerCustomer"] = "2",
        });
        for (var i = 1; i <= 3; i++)
        {
            // Different cards, so each payment gets its own token.
            p.Simulator.State.SeedPayment(M, $"pay-cap-{i}", status: "PAID", cardNumber: $"411111111111111{i}", merchantReference: "cust-cap");
            await ProcessingPipelineTests.PostAsync(p, SampleEvents.Build("payment.paid", M, $"pay-cap-{i}", $"evt-cap-{i}"));
            await p.WaitForStateAsync($"evt-cap-{i}", ProcessingState.Completed);
        }

        var left = await p.Vault().ListAsync(M, "cust-cap", CancellationToken.None);

        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(left, t => t.PaymentId == "pay-cap-1");
        Assert.Equal(1, p.Simulator.State.Count("DELETE", new System.Text.RegularExpressions.Regex("/tokens/")));
    }

    private Task<Pipeline> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Connect:MerchantId"] = M };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return Pipeline.StartAsync(azurite, settings);
    }

    private static async Task StoreAsync(Pipeline p, string customer, string tokenId, bool knownToConnect)
    {
        if (knownToConnect)
        {
            p.Simulator.State.SeedToken(M, tokenId);
        }

        await p.Vault().AddAndTrimAsync(new StoredToken(M, customer, tokenId, 1, null, DateTimeOffset.UtcNow, null, "************1111"), CancellationToken.None);
    }

    private static async Task<HttpResponseMessage> PostSessionAsync(Pipeline p, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await p.App.CreateClient().PostAsync("/api/sessions", content);
    }
}
