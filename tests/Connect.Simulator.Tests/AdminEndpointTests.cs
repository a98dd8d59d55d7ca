using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Connect.Simulator.Tests;

public sealed class AdminEndpointTests : SimulatorTestBase
{
    [Fact]
    public async Task SeededPaymentIsServedBySignedCalls()
    {
        using var seeded = await PostAdminAsync("admin/payments", "{\"merchantId\":\"1234\",\"paymentId\":\"p9\",\"status\":\"PENDING_CAPTURE\",\"amount\":4200,\"currency\":\"GBP\",\"paymentProductId\":3}");

        Assert.Equal(HttpStatusCode.Created, seeded.StatusCode);
        var payment = State.GetPayment(Merchant, "p9")!;
        Assert.Equal(4200, payment.Amount);
        Assert.Equal("GBP", payment.Currency);
        Assert.Equal(3, payment.PaymentProductId);
        using var got = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p9");
        Assert.Equal(4200, (await JsonAsync(got))["paymentOutput"]!["amountOfMoney"]!["amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task RequestLogCanBeTurnedOffAndResetTurnsItOn()
    {
        State.SeedPayment(Merchant, "p2");
        State.RecordRequests = false;
        using (var quiet = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p2"))
        {
            Assert.Equal(HttpStatusCode.OK, quiet.StatusCode);
        }

        Assert.Empty(State.Requests);
        State.Reset();
        State.SeedPayment(Merchant, "p2");
        using (var logged = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p2"))
        {
            Assert.Equal(HttpStatusCode.OK, logged.StatusCode);
        }

        Assert.Single(State.Requests);
    }

    [Fact]
    public async Task AdminPaymentViewShowsCaptures()
    {
        State.SeedPayment(Merchant, "p1");
        using var capture = await CaptureAsync("p1");

        using var view = await Http.GetAsync(new Uri(Host.BaseAddress, "admin/payments/1234/p1"));

        var body = await JsonAsync(view);
        Assert.Equal("CAPTURE_REQUESTED", body["status"]?.GetValue<string>());
        Assert.Equal("p1-capture-1", body["captures"]![0]!["id"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"paymentId\":\"p1\"}", "merchantId")]
    [InlineData("{\"merchantId\":\"1234\"}", "paymentId")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{\"merchantId\":\"1234\",\"paymentId\":\"p1\",\"amount\":\"lots\"}", "")]
    public async Task BadSeedRequestsAre400NamingTheProblem(string json, string mentioned)
    {
        await AssertBadRequestNamingAsync("admin/payments", json, mentioned);

        Assert.Null(State.GetPayment(Merchant, "p1"));
    }

    [Fact]
    public async Task SeededTokenIsKnown()
    {
        using var response = await PostAdminAsync("admin/tokens", "{\"merchantId\":\"1234\",\"tokenId\":\"t7\"}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(State.HasToken(Merchant, "t7"));
    }

    [Fact]
    public async Task InjectedFaultsApplyToTheNextCalls()
    {
        using var injected = await PostAdminAsync("admin/faults", "{\"pathContains\":\"testconnection\",\"kind\":\"status\",\"status\":502,\"times\":2}");
        using var nonJson = await PostAdminAsync("admin/faults", "{\"pathContains\":\"testconnection\",\"kind\":\"nonJson\",\"status\":503}");

        using var first = await SendSignedAsync(HttpMethod.Get, "v1/1234/services/testconnection");
        using var second = await SendSignedAsync(HttpMethod.Get, "v1/1234/services/testconnection");
        using var third = await SendSignedAsync(HttpMethod.Get, "v1/1234/services/testconnection");
        using var fourth = await SendSignedAsync(HttpMethod.Get, "v1/1234/services/testconnection");

        Assert.Equal(HttpStatusCode.Created, injected.StatusCode);
        Assert.Equal(
            [HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK],
            new[] { first, second, third, fourth }.Select(r => r.StatusCode));
        Assert.Equal("text/html", ContentType(third)?.MediaType);
    }

    [Theory]
    [InlineData("{\"pathContains\":\"x\",\"kind\":\"explode\"}", "kind 'explode'")]
    [InlineData("{\"kind\":\"drop\"}", "pathContains")]
    [InlineData("{\"pathContains\":\"x\",\"kind\":\"delay\"}", "delayMs")]
    [InlineData("{\"pathContains\":\"x\",\"kind\":\"drop\",\"times\":0}", "times")]
    public async Task BadFaultRequestsAre400NamingTheProblem(string json, string mentioned) =>
        await AssertBadRequestNamingAsync("admin/faults", json, mentioned);

    [Fact]
    public async Task RequestLogListsApiCallsButNotAdminCalls()
    {
        State.SeedPayment(Merchant, "p1");
        using var capture = await CaptureAsync("p1", idempotenceKey: "k1");

        using var response = await Http.GetAsync(new Uri(Host.BaseAddress, "admin/requests"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var log = Assert.IsType<JsonArray>(JsonNode.Parse(await response.Content.ReadAsStringAsync()));
        var entry = Assert.Single(log)!;
        Assert.Equal("POST", entry["method"]?.GetValue<string>());
        Assert.Equal("/v1/1234/payments/p1/capture", entry["path"]?.GetValue<string>());
        Assert.Equal(200, entry["responseStatus"]?.GetValue<int>());
        Assert.Equal("k1", entry["idempotenceKey"]?.GetValue<string>());
        Assert.True(entry["authenticated"]?.GetValue<bool>());
        Assert.Equal("{}", entry["body"]?.GetValue<string>());
    }

    [Fact]
    public async Task ResetClearsTheState()
    {
        State.SeedPayment(Merchant, "p1");

        using var response = await Http.PostAsync(new Uri(Host.BaseAddress, "admin/reset"), null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(State.GetPayment(Merchant, "p1"));
    }

    private async Task AssertBadRequestNamingAsync(string path, string json, string mentioned)
    {
        using var response = await PostAdminAsync(path, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentioned, (await JsonAsync(response))["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAdminSeedSetsTheMerchantReference()
    {
        using var seeded = await PostAdminAsync("admin/payments", "{\"merchantId\":\"1234\",\"paymentId\":\"p7\",\"status\":\"CAPTURED\",\"merchantReference\":\"customer-1\"}");

        Assert.Equal(HttpStatusCode.Created, seeded.StatusCode);
        using var got = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p7");
        Assert.Equal("customer-1", (await JsonAsync(got))["paymentOutput"]!["references"]!["merchantReference"]!.GetValue<string>());
    }

    private async Task<HttpResponseMessage> PostAdminAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await Http.PostAsync(new Uri(Host.BaseAddress, path), content);
    }
}
