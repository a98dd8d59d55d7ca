using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Connect.Simulator.Tests;

/// <summary>
/// Known-answer strings to sign, written out by hand from the contract. Each case is checked twice: against the
/// simulator's canonicalization directly, and over HTTP by signing the hand-written string and expecting acceptance.
/// </summary>
public sealed class CanonicalStringTests : SimulatorTestBase
{
    private const string Date = "Fri, 06 Jun 2014 13:39:43 GMT";

    [Fact]
    public void GcsHeadersAreLowerCasedUnfoldedTrimmedAndSortedOtherHeadersIgnored()
    {
        var headers = new Dictionary<string, string>
        {
            ["X-GCS-ServerMetaInfo"] = "  eyJzZGsiOiJ4In0=  ",
            ["User-Agent"] = "tests/1.0",
            ["x-gcs-idempotence-key"] = "key-1",
            ["X-GCS-ClientMetaInfo"] = "first line\r\n   second line\n\tthird",
            ["Accept"] = "application/json",
            ["X-Gcs-A-Custom"] = "a  b",
        };

        var actual = V1HmacVerifier.BuildStringToSign("POST", "application/json; charset=utf-8", Date, headers, "/v1/1234/payments/p1/capture");

        Assert.Equal(
            "POST\n" +
            "application/json; charset=utf-8\n" +
            "Fri, 06 Jun 2014 13:39:43 GMT\n" +
            "x-gcs-a-custom:a  b\n" +
            "x-gcs-clientmetainfo:first line second line third\n" +
            "x-gcs-idempotence-key:key-1\n" +
            "x-gcs-servermetainfo:eyJzZGsiOiJ4In0=\n" +
            "/v1/1234/payments/p1/capture\n",
            actual);
    }

    [Fact]
    public void PathStaysEncodedAndQueryIsDecoded()
    {
        var actual = V1HmacVerifier.BuildStringToSign(
            "GET", null, Date, [], "/v1/1234/tokens/tok%20one%2Fx?mandateCancelDate=2024%2F01%2F31&note=a%20b%26c");

        Assert.Equal(
            "GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/1234/tokens/tok%20one%2Fx?mandateCancelDate=2024/01/31&note=a b&c\n",
            actual);
    }

    [Fact]
    public void GetWithoutContentTypeHasAnEmptySecondLine()
    {
        var actual = V1HmacVerifier.BuildStringToSign("get", null, Date, [], "/v1/1234/services/testconnection");

        Assert.Equal("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/1234/services/testconnection\n", actual);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("  padded\t ", "padded")]
    [InlineData("a\r\n b", "a b")]
    [InlineData("a\n\t\t b\r\n   c", "a b c")]
    [InlineData("a \r\n b", "a  b")]
    [InlineData("\r\n  leading", "leading")]
    [InlineData("a\n\nb", "a  b")] // each line break is its own: two breaks, two spaces
    [InlineData("a\r\n\r\n  b", "a  b")]
    [InlineData("a\rb", "a\rb")] // a CR without LF is not a line break
    [InlineData("a\r\r\nb", "a\r b")]
    [InlineData(" \t a b \t ", "a b")]
    public void UnfoldingReplacesEachLineBreakAndFollowingWhiteSpaceByOneSpace(string value, string expected) =>
        Assert.Equal(expected, V1HmacVerifier.Unfold(value));

    // A bare "?" is an empty query, and the official SDKs keep it in the canonical resource; no '?' means no query.
    [Fact]
    public void AnEmptyQueryKeepsItsQuestionMarkInTheCanonicalResource()
    {
        var actual = V1HmacVerifier.BuildStringToSign("GET", null, Date, [], "/v1/1234/tokens/t1?");
        var none = V1HmacVerifier.BuildStringToSign("GET", null, Date, [], "/v1/1234/tokens/t1");

        Assert.Equal("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/1234/tokens/t1?\n", actual);
        Assert.Equal("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/1234/tokens/t1\n", none);
    }

    // Sorted by the lower-cased name: "X-GCS-B" after "x-gcs-a" although 'X' sorts before 'x'.
    [Fact]
    public void GcsHeadersSortByTheirLowerCasedNames()
    {
        var actual = V1HmacVerifier.BuildStringToSign("GET", null, Date, [new("X-GCS-B", "2"), new("x-gcs-a", "1"), new("X-Gcs-C", "3")], "/p");

        Assert.Equal("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\nx-gcs-a:1\nx-gcs-b:2\nx-gcs-c:3\n/p\n", actual);
    }

    [Fact]
    public async Task HandWrittenStringWithSeveralGcsHeadersInAnyOrderIsAcceptedOverHttp()
    {
        State.SeedPayment(Merchant, "p1");

        using var response = await SendWithHandWrittenSignatureAsync(
            HttpMethod.Post,
            "v1/1234/payments/p1/capture",
            "{}",
            date =>
                "POST\n" +
                "application/json; charset=utf-8\n" +
                date + "\n" +
                "x-gcs-clientmetainfo:Y2xpZW50\n" +
                "x-gcs-idempotence-key:k-42\n" +
                "x-gcs-servermetainfo:c2VydmVy\n" +
                "/v1/1234/payments/p1/capture\n",
            ("X-GCS-ServerMetaInfo", "c2VydmVy"),
            ("X-GCS-Idempotence-Key", "k-42"),
            ("X-GCS-ClientMetaInfo", "  Y2xpZW50  "),
            ("User-Agent", "not-signed/1.0"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HandWrittenStringWithEncodedPathAndDecodedQueryIsAcceptedOverHttp()
    {
        State.SeedToken(Merchant, "tok one");

        using var response = await SendWithHandWrittenSignatureAsync(
            HttpMethod.Get,
            "v1/1234/tokens/tok%20one?mandateCancelDate=2024%2F01%2F31",
            null,
            date => "GET\n\n" + date + "\n/v1/1234/tokens/tok%20one?mandateCancelDate=2024/01/31\n");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tok one", (await JsonAsync(response))["id"]?.GetValue<string>());
    }

    [Fact]
    public async Task SigningTheStillEncodedQueryIsRefused()
    {
        State.SeedToken(Merchant, "t1");

        using var response = await SendWithHandWrittenSignatureAsync(
            HttpMethod.Get, "v1/1234/tokens/t1?d=2024%2F01%2F31", null, date => "GET\n\n" + date + "\n/v1/1234/tokens/t1?d=2024%2F01%2F31\n");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SigningContentTypeWithoutTheCharsetHttpClientAddsIsRefused()
    {
        State.SeedPayment(Merchant, "p1");

        using var response = await SendWithHandWrittenSignatureAsync(
            HttpMethod.Post, "v1/1234/payments/p1/capture", "{}", date => "POST\napplication/json\n" + date + "\n/v1/1234/payments/p1/capture\n");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, State.CountCaptures(Merchant, "p1"));
    }

    /// <summary>Sends a request whose Authorization is the HMAC of a string written out by hand (given the Date it will carry).</summary>
    private async Task<HttpResponseMessage> SendWithHandWrittenSignatureAsync(
        HttpMethod method, string pathAndQuery, string? json, Func<string, string> stringToSign, params (string Name, string Value)[] headers)
    {
        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(method, new Uri(Host.BaseAddress, pathAndQuery));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Date", date);
        request.Headers.TryAddWithoutValidation("Authorization", "GCS v1HMAC:sim-key:" + Hmac(stringToSign(date)));
        return await Http.SendAsync(request);
    }

    private static string Hmac(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SimulatorHost.DefaultSecretApiKey), Encoding.UTF8.GetBytes(stringToSign)));
}
