using System.Net;

namespace Connect.Simulator.Tests;

public sealed class OperationTests : SimulatorTestBase
{
    [Fact]
    public async Task GetPaymentReturnsThePaymentResponseWithAMaskedCard()
    {
        State.SeedPayment(Merchant, "p1", amount: 2599, currency: "USD", paymentProductId: 3, cardNumber: "5424180279791732");

        using var response = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("p1", body["id"]?.GetValue<string>());
        Assert.Equal("PENDING_CAPTURE", body["status"]?.GetValue<string>());
        Assert.True(body["statusOutput"]!["isAuthorized"]!.GetValue<bool>());
        Assert.True(body["statusOutput"]!["isCancellable"]!.GetValue<bool>());
        Assert.False(body["statusOutput"]!["isRefundable"]!.GetValue<bool>());
        Assert.Equal("PENDING_MERCHANT", body["statusOutput"]!["statusCategory"]?.GetValue<string>());
        var output = body["paymentOutput"]!;
        Assert.Equal(2599, output["amountOfMoney"]!["amount"]!.GetValue<long>());
        Assert.Equal("USD", output["amountOfMoney"]!["currencyCode"]!.GetValue<string>());
        Assert.Equal("card", output["paymentMethod"]!.GetValue<string>());
        Assert.Equal(3, output["cardPaymentMethodSpecificOutput"]!["paymentProductId"]!.GetValue<int>());
        Assert.Equal("************1732", output["cardPaymentMethodSpecificOutput"]!["card"]!["cardNumber"]!.GetValue<string>());
        Assert.DoesNotContain("5424180279791732", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetPaymentReportsIsAuthorizedAsSeeded()
    {
        State.SeedPayment(Merchant, "p1", status: "REJECTED", isAuthorized: false);

        using var response = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1");

        var body = await JsonAsync(response);
        Assert.False(body["statusOutput"]!["isAuthorized"]!.GetValue<bool>());
        Assert.Equal("UNSUCCESSFUL", body["statusOutput"]!["statusCategory"]?.GetValue<string>());
    }

    [Fact]
    public async Task PaymentsAreKeptPerMerchant()
    {
        State.SeedPayment("other-merchant", "p1");

        using var response = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1");

        await SingleErrorAsync(response, 404, "1002", "UNKNOWN_PAYMENT_ID");
    }

    [Fact]
    public async Task CaptureMovesPendingCaptureToCaptureRequested()
    {
        State.SeedPayment(Merchant, "p1", amount: 1500);

        using var response = await CaptureAsync("p1", json: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("p1-capture-1", body["id"]?.GetValue<string>());
        Assert.Equal("CAPTURE_REQUESTED", body["status"]?.GetValue<string>());
        Assert.Equal(1500, body["captureOutput"]!["amountOfMoney"]!["amount"]!.GetValue<long>());
        Assert.NotNull(body["statusOutput"]);
        var payment = State.GetPayment(Merchant, "p1")!;
        Assert.Equal("CAPTURE_REQUESTED", payment.Status);
        Assert.Equal(1500, payment.AmountCaptured);
        Assert.True(Assert.Single(payment.Captures).IsFinal);
        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task SecondCaptureOfACapturedPaymentIs400AndCapturesNothing()
    {
        State.SeedPayment(Merchant, "p1");
        using var first = await CaptureAsync("p1");

        using var second = await CaptureAsync("p1");

        var error = await SingleErrorAsync(second, 400, "1004", "INVALID_PAYMENT_STATUS");
        Assert.Contains("CAPTURE_REQUESTED", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
    }

    [Theory]
    [InlineData("CANCELLED")]
    [InlineData("CAPTURED")]
    [InlineData("PENDING_APPROVAL")]
    public async Task CaptureOfAPaymentInAnotherStatusIs400(string status)
    {
        State.SeedPayment(Merchant, "p1", status: status);

        using var response = await CaptureAsync("p1");

        await SingleErrorAsync(response, 400, "1004", "INVALID_PAYMENT_STATUS");
        Assert.Equal(status, State.GetPayment(Merchant, "p1")!.Status);
    }

    [Fact]
    public async Task CaptureAboveTheAuthorizedAmountIs400()
    {
        State.SeedPayment(Merchant, "p1", amount: 1000);

        using var response = await CaptureAsync("p1", "{\"amount\":1001}");

        var error = await SingleErrorAsync(response, 400, "1005", "AMOUNT_EXCEEDS_CAPTURABLE_AMOUNT");
        Assert.Equal("amount", error["propertyName"]?.GetValue<string>());
        Assert.Equal(0, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task PartialCaptureNotFinalLeavesTheRestCapturable()
    {
        State.SeedPayment(Merchant, "p1", amount: 1000);

        using var partial = await CaptureAsync("p1", "{\"amount\":400,\"isFinal\":false}");
        Assert.Equal("PENDING_CAPTURE", State.GetPayment(Merchant, "p1")!.Status);
        using var rest = await CaptureAsync("p1", "{\"amount\":600}");

        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal("p1-capture-2", (await JsonAsync(rest))["id"]?.GetValue<string>());
        var payment = State.GetPayment(Merchant, "p1")!;
        Assert.Equal("CAPTURE_REQUESTED", payment.Status);
        Assert.Equal(1000, payment.AmountCaptured);
    }

    [Fact]
    public async Task CaptureOfAnUnknownPaymentIs404()
    {
        using var response = await CaptureAsync("nope");

        await SingleErrorAsync(response, 404, "1002", "UNKNOWN_PAYMENT_ID");
    }

    [Theory]
    [InlineData("{\"amount\":", "1010", "INVALID_JSON")]
    [InlineData("[1,2]", "1010", "INVALID_JSON")]
    [InlineData("{\"amount\":-5}", "1011", "INVALID_PROPERTY_VALUE")]
    [InlineData("{\"amount\":\"100\"}", "1011", "INVALID_PROPERTY_VALUE")]
    [InlineData("{\"amount\":10.5}", "1011", "INVALID_PROPERTY_VALUE")]
    [InlineData("{\"isFinal\":\"yes\"}", "1011", "INVALID_PROPERTY_VALUE")]
    public async Task MalformedCaptureBodyIs400AndCapturesNothing(string json, string code, string id)
    {
        State.SeedPayment(Merchant, "p1");

        using var response = await CaptureAsync("p1", json);

        await SingleErrorAsync(response, 400, code, id);
        Assert.Equal(0, State.CountCaptures(Merchant, "p1"));
        Assert.Equal(json, Assert.Single(State.Requests).Body);
    }

    [Fact]
    public async Task TokenizeCreatesANewTokenThenReturnsTheSameTokenForTheSameCard()
    {
        State.SeedPayment(Merchant, "p1");
        State.SeedPayment(Merchant, "p2");

        using var first = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1/tokenize", "{\"alias\":\"my visa\"}");
        using var second = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p2/tokenize", "{}");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await JsonAsync(first);
        var token = created["token"]!.GetValue<string>();
        Assert.True(created["isNewToken"]!.GetValue<bool>());
        Assert.Equal("p1", created["originalPaymentId"]?.GetValue<string>());
        Assert.EndsWith($"/v1/1234/tokens/{token}", first.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var existing = await JsonAsync(second);
        Assert.Equal(token, existing["token"]!.GetValue<string>());
        Assert.False(existing["isNewToken"]!.GetValue<bool>());
        Assert.Equal("p1", existing["originalPaymentId"]?.GetValue<string>());
        Assert.True(State.HasToken(Merchant, token));
        Assert.Equal("my visa", State.GetToken(Merchant, token)!.Alias);
        Assert.Equal(1, State.CountTokenizations(Merchant, "p1"));
        Assert.Equal(1, State.CountTokenizations(Merchant, "p2"));
    }

    [Fact]
    public async Task TokenizeOfAnotherCardOrAnotherMerchantMakesANewToken()
    {
        State.SeedPayment(Merchant, "p1");
        State.SeedPayment(Merchant, "p2", cardNumber: "4012000033330026");
        State.SeedPayment("5678", "p3");

        using var first = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1/tokenize", "{}");
        using var otherCard = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p2/tokenize", "{}");
        using var otherMerchant = await SendSignedAsync(HttpMethod.Post, "v1/5678/payments/p3/tokenize", "{}");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, otherCard.StatusCode);
        Assert.Equal(HttpStatusCode.Created, otherMerchant.StatusCode);
    }

    [Fact]
    public async Task TokenizeOfAPaymentWithoutACardIs400()
    {
        State.SeedPayment(Merchant, "p1", cardNumber: null);

        using var response = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1/tokenize", "{}");

        await SingleErrorAsync(response, 400, "1008", "PAYMENT_NOT_TOKENIZABLE");
    }

    [Fact]
    public async Task SessionReportsUnknownTokensAsInvalidAndTheRequestBodyIsRecordedExactly()
    {
        State.SeedToken(Merchant, "known");
        State.SeedToken("5678", "elsewhere");
        const string json = "{\"tokens\":[\"known\",\"gone\",\"elsewhere\"],\"paymentProductFilters\":{\"restrictTo\":{\"groups\":[\"cards\"],\"products\":[1,3]},\"exclude\":{\"products\":[128]}}}";

        using var response = await SendSignedAsync(HttpMethod.Post, "v1/1234/sessions", json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(["gone", "elsewhere"], body["invalidTokens"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(body["clientSessionId"]?.GetValue<string>()));
        Assert.StartsWith("1234-", body["customerId"]?.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(Uri.IsWellFormedUriString(body["clientApiUrl"]?.GetValue<string>(), UriKind.Absolute));
        Assert.True(Uri.IsWellFormedUriString(body["assetUrl"]?.GetValue<string>(), UriKind.Absolute));
        Assert.Equal("EU", body["region"]?.GetValue<string>());
        Assert.Equal(json, Assert.Single(State.Requests).Body);
    }

    [Fact]
    public async Task SessionWithoutTokensHasAnEmptyInvalidTokensList()
    {
        using var response = await SendSignedAsync(HttpMethod.Post, "v1/1234/sessions", "{}");

        Assert.Empty((await JsonAsync(response))["invalidTokens"]!.AsArray());
    }

    [Fact]
    public async Task SessionWithTokensThatAreNotStringsIs400()
    {
        using var response = await SendSignedAsync(HttpMethod.Post, "v1/1234/sessions", "{\"tokens\":[\"a\",7]}");

        var error = await SingleErrorAsync(response, 400, "1011", "INVALID_PROPERTY_VALUE");
        Assert.Equal("tokens[1]", error["propertyName"]?.GetValue<string>());
    }

    [Fact]
    public async Task GetTokenThenDeleteTokenThenItIsGone()
    {
        State.SeedPayment(Merchant, "p1");
        using var tokenized = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1/tokenize", "{\"alias\":\"card\"}");
        var token = (await JsonAsync(tokenized))["token"]!.GetValue<string>();

        using var got = await SendSignedAsync(HttpMethod.Get, $"v1/1234/tokens/{token}");
        using var deleted = await SendSignedAsync(HttpMethod.Delete, $"v1/1234/tokens/{token}");
        using var gotAgain = await SendSignedAsync(HttpMethod.Get, $"v1/1234/tokens/{token}");
        using var deletedAgain = await SendSignedAsync(HttpMethod.Delete, $"v1/1234/tokens/{token}");

        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        var body = await JsonAsync(got);
        Assert.Equal(token, body["id"]?.GetValue<string>());
        Assert.Equal(1, body["paymentProductId"]?.GetValue<int>());
        Assert.Equal("p1", body["originalPaymentId"]?.GetValue<string>());
        Assert.Equal("************7977", body["card"]!["data"]!["cardWithoutCvv"]!["cardNumber"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        await SingleErrorAsync(gotAgain, 404, "1003", "UNKNOWN_TOKEN_ID");
        await SingleErrorAsync(deletedAgain, 404, "1003", "UNKNOWN_TOKEN_ID");
        Assert.False(State.HasToken(Merchant, token));
    }

    [Fact]
    public async Task TokensRemovedThroughTheStateAreInvalidInSessions()
    {
        State.SeedToken(Merchant, "t1");
        State.RemoveToken(Merchant, "t1");

        using var response = await SendSignedAsync(HttpMethod.Post, "v1/1234/sessions", "{\"tokens\":[\"t1\"]}");

        Assert.Equal(["t1"], (await JsonAsync(response))["invalidTokens"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public async Task StatusSetThroughTheStateIsWhatGetPaymentReturns()
    {
        State.SeedPayment(Merchant, "p1");
        State.SetPaymentStatus(Merchant, "p1", "CAPTURED");

        using var response = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1");

        var body = await JsonAsync(response);
        Assert.Equal("CAPTURED", body["status"]?.GetValue<string>());
        Assert.True(body["statusOutput"]!["isRefundable"]!.GetValue<bool>());
        Assert.Throws<KeyNotFoundException>(() => State.SetPaymentStatus(Merchant, "unknown", "CAPTURED"));
    }

    [Theory]
    [InlineData("v1/1234/payments")]
    [InlineData("v1/1234/refunds/r1")]
    [InlineData("v1/1234/payments/p1/capture/extra")]
    [InlineData("v1")]
    public async Task UnknownRouteIs404WithAConnectErrorBody(string path)
    {
        using var response = await SendSignedAsync(HttpMethod.Get, path);

        await SingleErrorAsync(response, 404, "1001", "UNKNOWN_RESOURCE");
    }

    [Fact]
    public async Task PathOutsideV1Is404WithAConnectErrorBodyAndIsNotRecorded()
    {
        using var response = await Http.GetAsync(new Uri(Host.BaseAddress, "somewhere/else"));

        await SingleErrorAsync(response, 404, "1001", "UNKNOWN_RESOURCE");
        Assert.Empty(State.Requests);
    }

    [Fact]
    public async Task WrongMethodOnAKnownResourceIs405WithAllow()
    {
        State.SeedPayment(Merchant, "p1");

        using var response = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1", "{}");

        await SingleErrorAsync(response, 405, "1006", "METHOD_NOT_ALLOWED");
        Assert.Equal("GET", string.Join(",", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task RequestsAreRecordedWithHeadersQueryAndStatus()
    {
        State.SeedToken(Merchant, "t1");

        using var response = await SendSignedAsync(HttpMethod.Get, "v1/1234/tokens/t1?x=a%2Fb");

        var recorded = Assert.Single(State.Requests);
        Assert.Equal("GET", recorded.Method);
        Assert.Equal("/v1/1234/tokens/t1", recorded.Path);
        Assert.Equal("x=a%2Fb", recorded.Query);
        Assert.StartsWith("GCS v1HMAC:sim-key:", recorded.Headers["authorization"], StringComparison.Ordinal);
        Assert.True(recorded.Headers.ContainsKey("X-GCS-ServerMetaInfo"));
        Assert.Equal(200, recorded.ResponseStatus);
        Assert.Equal(1, State.Count("GET", "/tokens/t1"));
        Assert.Equal(1, State.Count("get", new System.Text.RegularExpressions.Regex("^/v1/1234/tokens/[^/]+$")));
        Assert.Equal(0, State.Count("DELETE", "/tokens/t1"));
    }

    [Fact]
    public async Task ResetForgetsEverything()
    {
        State.SeedPayment(Merchant, "p1");
        State.SeedToken(Merchant, "t1");
        State.InjectFault("/", Fault.Status(500));
        State.IdempotentProcessingDelay = TimeSpan.FromSeconds(1);
        using var faulted = await SendSignedAsync(HttpMethod.Get, "v1/1234/services/testconnection");
        State.InjectFault("/", Fault.Status(500));

        State.Reset();

        Assert.Null(State.GetPayment(Merchant, "p1"));
        Assert.False(State.HasToken(Merchant, "t1"));
        Assert.Empty(State.Requests);
        Assert.Equal(TimeSpan.Zero, State.IdempotentProcessingDelay);
        using var response = await SendSignedAsync(HttpMethod.Get, "v1/1234/services/testconnection");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task FiftyConcurrentCapturesOfDifferentPaymentsAreEachCapturedOnce()
    {
        var ids = Enumerable.Range(0, 50).Select(i => $"c{i}").ToList();
        ids.ForEach(id => State.SeedPayment(Merchant, id));

        var responses = await Task.WhenAll(ids.Select(id => CaptureAsync(id)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(ids, id => Assert.Equal(1, State.CountCaptures(Merchant, id)));
        Assert.Equal(50, State.Count("POST", new System.Text.RegularExpressions.Regex("/capture$")));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
