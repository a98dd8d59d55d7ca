using System.Net;

namespace Connect.Simulator.Tests;

public sealed class AuthenticationTests : SimulatorTestBase
{
    private const string TestConnection = "v1/1234/services/testconnection";

    [Fact]
    public async Task ValidSignatureIsAcceptedAndRecordedAsAuthenticated()
    {
        using var response = await SendSignedAsync(HttpMethod.Get, TestConnection);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", (await JsonAsync(response))["result"]?.GetValue<string>());
        var recorded = Assert.Single(State.Requests);
        Assert.True(recorded.Authenticated);
        Assert.Equal(SimulatorHost.DefaultApiKeyId, recorded.ApiKeyId);
        Assert.Equal(200, recorded.ResponseStatus);
    }

    [Fact]
    public async Task OneChangedCharacterInTheSignatureGets401()
    {
        using var request = Request(HttpMethod.Get, TestConnection);
        TestSigner.Sign(request, SimulatorHost.DefaultApiKeyId, SimulatorHost.DefaultSecretApiKey, DateTimeOffset.UtcNow);
        var authorization = request.Headers.GetValues("Authorization").Single();
        var last = authorization[^3];
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", authorization[..^3] + (last == 'A' ? 'B' : 'A') + authorization[^2..]);

        using var response = await Http.SendAsync(request);

        await SingleErrorAsync(response, 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION");
        Assert.Equal("signature does not match", Assert.Single(State.Requests).AuthenticationFailure);
    }

    [Fact]
    public async Task OneChangedByteInASignedGcsHeaderGets401()
    {
        using var request = Request(HttpMethod.Post, "v1/1234/payments/p1/capture", "{}", idempotenceKey: "key-1");
        TestSigner.Sign(request, SimulatorHost.DefaultApiKeyId, SimulatorHost.DefaultSecretApiKey, DateTimeOffset.UtcNow);
        request.Headers.Remove("X-GCS-Idempotence-Key");
        request.Headers.TryAddWithoutValidation("X-GCS-Idempotence-Key", "key-2");
        State.SeedPayment(Merchant, "p1");

        using var response = await Http.SendAsync(request);

        await SingleErrorAsync(response, 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION");
        Assert.Equal(0, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task WrongSecretGets401()
    {
        using var response = await SendSignedAsync(HttpMethod.Get, TestConnection, secret: "sim-secreT");

        var error = await SingleErrorAsync(response, 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION");
        Assert.DoesNotContain(SimulatorHost.DefaultSecretApiKey, error.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownKeyIdGets401()
    {
        using var response = await SendSignedAsync(HttpMethod.Get, TestConnection, keyId: "someone-else");

        await SingleErrorAsync(response, 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION");
        var recorded = Assert.Single(State.Requests);
        Assert.False(recorded.Authenticated);
        Assert.Equal("someone-else", recorded.ApiKeyId);
        Assert.Equal("unknown API key id", recorded.AuthenticationFailure);
    }

    [Fact]
    public async Task SignatureForAnotherPathGets401()
    {
        using var request = Request(HttpMethod.Get, TestConnection);
        TestSigner.Sign(request, SimulatorHost.DefaultApiKeyId, SimulatorHost.DefaultSecretApiKey, DateTimeOffset.UtcNow);
        request.RequestUri = new Uri(Host.BaseAddress, "v1/9999/services/testconnection");

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public async Task DateMoreThanFiveMinutesOffGets401(int minutes)
    {
        using var request = Request(HttpMethod.Get, TestConnection);
        TestSigner.Sign(request, SimulatorHost.DefaultApiKeyId, SimulatorHost.DefaultSecretApiKey, DateTimeOffset.UtcNow.AddMinutes(minutes));

        using var response = await Http.SendAsync(request);

        await SingleErrorAsync(response, 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION");
        Assert.StartsWith("Date header is", Assert.Single(State.Requests).AuthenticationFailure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DateFourMinutesOldIsAccepted()
    {
        using var request = Request(HttpMethod.Get, TestConnection);
        TestSigner.Sign(request, SimulatorHost.DefaultApiKeyId, SimulatorHost.DefaultSecretApiKey, DateTimeOffset.UtcNow.AddMinutes(-4));

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MissingDateGets401()
    {
        using var request = Request(HttpMethod.Get, TestConnection);
        TestSigner.Sign(request, SimulatorHost.DefaultApiKeyId, SimulatorHost.DefaultSecretApiKey, DateTimeOffset.UtcNow);
        request.Headers.Remove("Date");

        using var response = await Http.SendAsync(request);

        await SingleErrorAsync(response, 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION");
        Assert.Equal("Date header missing", Assert.Single(State.Requests).AuthenticationFailure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc")]
    [InlineData("GCS v1HMAC:sim-key")]
    [InlineData("GCS v1HMAC::")]
    public async Task MissingOrMalformedAuthorizationGets401(string? authorization)
    {
        using var request = Request(HttpMethod.Get, TestConnection);
        request.Headers.TryAddWithoutValidation("Date", DateTimeOffset.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await Http.SendAsync(request);

        await SingleErrorAsync(response, 401, "9002", "MISSING_OR_INVALID_AUTHORIZATION");
    }

    [Fact]
    public async Task SecondConfiguredKeyPairIsAcceptedToo()
    {
        State.SeedPayment(Merchant, "p1");

        using var response = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1", keyId: "rotated", secret: "rotated-secret");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    protected override SimulatorOptions CreateOptions()
    {
        var options = new SimulatorOptions();
        options.Keys["rotated"] = "rotated-secret";
        return options;
    }
}
