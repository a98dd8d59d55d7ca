using System.Net;

namespace Connect.Simulator.Tests;

/// <summary>POST /v1/{merchantId}/tokens with a card: created once per card, readable, valid for sessions, checked field by field.</summary>
public sealed class TokenCreationTests : SimulatorTestBase
{
    private const string Card = "{\"paymentProductId\":1,\"card\":{\"alias\":\"visa 1111\",\"data\":{\"cardWithoutCvv\":{\"cardNumber\":\"4111111111111111\",\"expiryDate\":\"1230\",\"cardholderName\":\"J. Doe\"}}}}";

    [Fact]
    public async Task CreateTokenMakesANewTokenThenReturnsTheSameTokenForTheSameCard()
    {
        using var first = await SendSignedAsync(HttpMethod.Post, "v1/1234/tokens", Card);
        using var again = await SendSignedAsync(HttpMethod.Post, "v1/1234/tokens", Card);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await JsonAsync(first);
        var token = created["token"]!.GetValue<string>();
        Assert.True(created["isNewToken"]!.GetValue<bool>());
        Assert.Null(created["originalPaymentId"]);
        Assert.EndsWith($"/v1/1234/tokens/{token}", first.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var existing = await JsonAsync(again);
        Assert.Equal(token, existing["token"]!.GetValue<string>());
        Assert.False(existing["isNewToken"]!.GetValue<bool>());
        var stored = State.GetToken(Merchant, token)!;
        Assert.Equal(("4111111111111111", "1230", "visa 1111"), (stored.CardNumber, stored.ExpiryDate, stored.Alias));
    }

    [Fact]
    public async Task ACreatedTokenIsReadableAndValidForSessions()
    {
        using var created = await SendSignedAsync(HttpMethod.Post, "v1/1234/tokens", Card);
        var token = (await JsonAsync(created))["token"]!.GetValue<string>();

        using var read = await SendSignedAsync(HttpMethod.Get, $"v1/1234/tokens/{token}");
        using var session = await SendSignedAsync(HttpMethod.Post, "v1/1234/sessions", $"{{\"tokens\":[\"{token}\"]}}");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var body = await JsonAsync(read);
        Assert.Equal(1, body["paymentProductId"]!.GetValue<int>());
        Assert.Equal("************1111", body["card"]!["data"]!["cardWithoutCvv"]!["cardNumber"]!.GetValue<string>());
        Assert.Empty((await JsonAsync(session))["invalidTokens"]!.AsArray());
    }

    [Fact]
    public async Task ACardTokenizedFromAPaymentIsTheSameTokenAsOneCreatedDirectly()
    {
        State.SeedPayment(Merchant, "p1", cardNumber: "4111111111111111");
        using var created = await SendSignedAsync(HttpMethod.Post, "v1/1234/tokens", Card);

        using var fromPayment = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1/tokenize", "{}");

        Assert.Equal(HttpStatusCode.OK, fromPayment.StatusCode);
        Assert.Equal((await JsonAsync(created))["token"]!.GetValue<string>(), (await JsonAsync(fromPayment))["token"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"card\":{\"data\":{\"cardWithoutCvv\":{\"cardNumber\":\"4111111111111111\",\"expiryDate\":\"1230\"}}}}", "paymentProductId")]
    [InlineData("{\"paymentProductId\":\"one\",\"card\":{}}", "paymentProductId")]
    [InlineData("{\"paymentProductId\":1}", "card")]
    [InlineData("{\"paymentProductId\":1,\"card\":{\"data\":{\"cardWithoutCvv\":{\"expiryDate\":\"1230\"}}}}", "card.data.cardWithoutCvv.cardNumber")]
    [InlineData("{\"paymentProductId\":1,\"card\":{\"data\":{\"cardWithoutCvv\":{\"cardNumber\":\"4111-1111\",\"expiryDate\":\"1230\"}}}}", "card.data.cardWithoutCvv.cardNumber")]
    [InlineData("{\"paymentProductId\":1,\"card\":{\"data\":{\"cardWithoutCvv\":{\"cardNumber\":\"4111111111111111\",\"expiryDate\":\"1330\"}}}}", "card.data.cardWithoutCvv.expiryDate")]
    [InlineData("{\"paymentProductId\":1,\"card\":{\"alias\":7,\"data\":{\"cardWithoutCvv\":{\"cardNumber\":\"4111111111111111\",\"expiryDate\":\"1230\"}}}}", "card.alias")]
    public async Task ABadCreateTokenRequestIs400NamingTheProperty(string json, string property)
    {
        using var response = await SendSignedAsync(HttpMethod.Post, "v1/1234/tokens", json);

        var error = await SingleErrorAsync(response, 400, "1011", "INVALID_PROPERTY_VALUE");
        Assert.Equal(property, error["propertyName"]?.GetValue<string>());
        Assert.DoesNotContain("4111111111111111", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
