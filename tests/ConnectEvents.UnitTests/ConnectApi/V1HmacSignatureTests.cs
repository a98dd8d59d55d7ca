using System.Security.Cryptography;
using System.Text;
using ConnectEvents.ConnectApi;
using ConnectEvents.TestInfrastructure;

namespace ConnectEvents.UnitTests.ConnectApi;

/// <summary>
/// The v1HMAC signature: each expected string to sign is written by hand from the contract, and the signature the one
/// signing path gives must be the HMAC-SHA256 of exactly that string.
/// </summary>
public sealed class V1HmacSignatureTests
{
    private const string Date = "Fri, 06 Jun 2014 13:39:43 GMT";
    private const string KeyId = "kid";
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("s3cr3t-ünïcode");

    [Fact]
    public void GetWithoutBodyHasAnEmptyContentTypeLine()
    {
        var actual = Signed("GET", null, [], "/v1/9991/payments/000000123410000595980000100001", null);

        Assert.Equal(Expected("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/9991/payments/000000123410000595980000100001\n"), actual);
    }

    [Fact]
    public void GcsHeadersAreLowerCasedUnfoldedTrimmedAndSorted()
    {
        var headers = new Dictionary<string, string>
        {
            ["X-GCS-ServerMetaInfo"] = "abc",
            ["X-GCS-ClientMetaInfo"] = "  processed header value  ",
            ["X-GCS-Idempotence-Key"] = "key\r\n   continued\n\tline",
            ["x-gcs-customheader"] = "v",
        };

        var actual = Signed("POST", "application/json", headers, "/v1/9991/payments/p1/capture", null);

        Assert.Equal(
            Expected("POST\napplication/json\nFri, 06 Jun 2014 13:39:43 GMT\n" +
            "x-gcs-clientmetainfo:processed header value\n" +
            "x-gcs-customheader:v\n" +
            "x-gcs-idempotence-key:key continued line\n" +
            "x-gcs-servermetainfo:abc\n" +
            "/v1/9991/payments/p1/capture\n"),
            actual);
    }

    [Fact]
    public void PathStaysEncodedWhileTheQueryIsDecoded()
    {
        var actual = Signed("get", null, [], "/v1/9991/products/%E2%82%AC%20x", "?countryCode=NL&hide=a%20b%2Cc");

        Assert.Equal(Expected("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/9991/products/%E2%82%AC%20x?countryCode=NL&hide=a b,c\n"), actual);
    }

    [Fact]
    public void ContentTypeIsSignedExactlyAsSent()
    {
        var actual = Signed("POST", "application/json; charset=utf-8", [], "/v1/1/sessions", "");

        Assert.Equal(Expected("POST\napplication/json; charset=utf-8\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/1/sessions\n"), actual);
    }

    // Header values: the official SDKs replace each line break ("\r\n" or "\n") together with the non-line-break white
    // space after it by one space, then trim. A second line break is a line break of its own (its own space); a CR not
    // followed by LF is not a line break and stays.
    [Theory]
    [InlineData("a\n\nb", "a  b")]
    [InlineData("a\r\n\r\n  b", "a  b")]
    [InlineData("a\n \n\tb", "a  b")]
    [InlineData("a\rb", "a\rb")]
    [InlineData("a\r\r\nb", "a\r b")]
    [InlineData(" \t a b \t ", "a b")]
    [InlineData("\r\n lead and trail \r\n", "lead and trail")]
    [InlineData("a\r", "a")]
    public void HeaderValuesAreCanonicalisedLikeTheSdks(string value, string expected)
    {
        var actual = Signed("GET", null, [new("X-GCS-ClientMetaInfo", value)], "/v1/1/services/testconnection", null);

        Assert.Equal(Expected("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\nx-gcs-clientmetainfo:" + expected + "\n/v1/1/services/testconnection\n"), actual);
    }

    // The canonical resource is the path, plus "?" and the decoded query when the URI has a query. A bare "?" is an empty
    // query and still a query: the official SDKs sign "/x?" (the Node SDK's conformance run), so only no query signs "/x".
    [Theory]
    [InlineData("?", "/v1/1/tokens/t1?")]
    [InlineData("", "/v1/1/tokens/t1")]
    [InlineData(null, "/v1/1/tokens/t1")]
    public void AnEmptyQueryKeepsItsQuestionMark(string? query, string resource)
    {
        var actual = Signed("GET", null, [], "/v1/1/tokens/t1", query);

        Assert.Equal(Expected("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\n" + resource + "\n"), actual);
    }

    // Known answer through the handler, as a request to "/x?" goes out: the expected value is computed here from the
    // documented string to sign (method, empty Content-Type, Date, X-GCS lines, "/x?"), independently of V1HmacSignature.
    [Fact]
    public async Task ARequestWithAnEmptyQueryIsSignedOverPathAndQuestionMark()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2014, 6, 6, 13, 39, 43, TimeSpan.Zero));
        var seen = new List<HttpRequestMessage>();
        using var invoker = new HttpMessageInvoker(Handler(time, seen));
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/v1/1/x?");

        (await invoker.SendAsync(request, default)).Dispose();

        Assert.Equal("/v1/1/x?", request.RequestUri!.PathAndQuery); // what goes on the wire keeps its '?'
        var meta = request.Headers.GetValues("X-GCS-ServerMetaInfo").Single();
        var stringToSign = "GET\n\nFri, 06 Jun 2014 13:39:43 GMT\nx-gcs-servermetainfo:" + meta + "\n/v1/1/x?\n";
        var expected = "GCS v1HMAC:kid:" + Convert.ToBase64String(HMACSHA256.HashData("secret"u8, Encoding.UTF8.GetBytes(stringToSign)));
        Assert.Equal(expected, request.Headers.GetValues("Authorization").Single());
    }

    // Headers set directly with TryAddWithoutValidation reach the wire as written: a CR/LF would end the header and start
    // another (or split the block before Authorization), so the handler refuses the request before the inner handler sees it.
    [Theory]
    [InlineData("X-GCS-ClientMetaInfo", "e30=\r\nX-Injected: yes")]
    [InlineData("X-GCS-Idempotence-Key", "idem-key-1\n")]
    [InlineData("X-GCS-CustomHeader", "value-one\r")]
    [InlineData("X-GCS-CustomHeader", "value-one\0w")]
    [InlineData("X-GCS-CustomHeader", "value-one\u0085w")]
    [InlineData("User-Agent", "agent/1.0\r\n\r\nGET /smuggled HTTP/1.1")]
    public async Task AHeaderValueWithAControlCharacterIsRefusedAndNothingIsSent(string name, string value)
    {
        var seen = new List<HttpRequestMessage>();
        using var invoker = new HttpMessageInvoker(Handler(TimeProvider.System, seen));
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/v1/1/payments/p1");
        Assert.True(request.Headers.TryAddWithoutValidation(name, value));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(request, default));

        Assert.Empty(seen);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains("control character", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value[..value.IndexOfAny(['\r', '\n', '\0', '\u0085'])], error.Message, StringComparison.Ordinal);
        Assert.False(request.Headers.Contains("Authorization"));
    }

    [Fact]
    public async Task AContentHeaderWithALineBreakIsRefusedToo()
    {
        var seen = new List<HttpRequestMessage>();
        using var invoker = new HttpMessageInvoker(Handler(TimeProvider.System, seen));
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:1/v1/1/sessions") { Content = new ByteArrayContent("{}"u8.ToArray()) };
        Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json\r\nX-Injected: yes"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(request, default));

        Assert.Empty(seen);
        Assert.Contains("Content-Type", error.Message, StringComparison.Ordinal);
    }

    // Names are compared after lower-casing: "X-GCS-B" sorts after "x-gcs-a" although 'X' < 'x' ordinally.
    [Fact]
    public void GcsHeadersSortByTheirLowerCasedNames()
    {
        var actual = Signed("GET", null, [new("X-GCS-B", "2"), new("x-gcs-a", "1"), new("X-Gcs-C", "3")], "/p", null);

        Assert.Equal(Expected("GET\n\nFri, 06 Jun 2014 13:39:43 GMT\nx-gcs-a:1\nx-gcs-b:2\nx-gcs-c:3\n/p\n"), actual);
    }

    [Theory]
    [InlineData("key\r\nX-Evil: 1")]
    [InlineData("key\n")]
    [InlineData("key\r")]
    [InlineData("key\0")]
    [InlineData("key\u007f")]
    [InlineData("key\u0085")]
    public void AnIdempotenceKeyWithAControlCharacterIsRefusedNamingIt(string key)
    {
        var error = Assert.Throws<ArgumentException>(() => new CallContext(key));

        Assert.Equal("idempotenceKey", error.ParamName);
    }

    [Fact]
    public void ClientMetaInfoWithALineBreakIsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new CallContext("k") { ClientMetaInfo = "{}\r\nX-Evil: 1" });

        Assert.Equal(nameof(CallContext.ClientMetaInfo), error.ParamName);
    }

    [Fact]
    public async Task SigningHandlerSignsWhatGoesOnTheWireWithAFreshDatePerAttempt()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        var seen = new List<HttpRequestMessage>();
        using var invoker = new HttpMessageInvoker(Handler(time, seen));
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:1/v1/m%201/payments/p/capture?x=a%2Fb")
        {
            Content = new ByteArrayContent("{}"u8.ToArray()),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-GCS-Idempotence-Key", "k1");
        request.Headers.TryAddWithoutValidation("User-Agent", "not-signed/1.0");

        (await invoker.SendAsync(request, default)).Dispose();
        var first = request.Headers.GetValues("Authorization").Single();
        time.Advance(TimeSpan.FromSeconds(2));
        (await invoker.SendAsync(request, default)).Dispose();
        var second = request.Headers.GetValues("Authorization").Single();

        Assert.Equal("Mon, 23 Nov 2026 09:00:02 GMT", request.Headers.GetValues("Date").Single());
        Assert.NotEqual(first, second);
        var meta = request.Headers.GetValues("X-GCS-ServerMetaInfo").Single();
        var expected = "POST\napplication/json\nMon, 23 Nov 2026 09:00:02 GMT\nx-gcs-idempotence-key:k1\nx-gcs-servermetainfo:" + meta + "\n/v1/m%201/payments/p/capture?x=a/b\n";
        Assert.Equal("GCS v1HMAC:kid:" + Convert.ToBase64String(HMACSHA256.HashData("secret"u8, Encoding.UTF8.GetBytes(expected))), second);
        Assert.Contains("\"sdkCreator\":\"ConnectEvents\"", ServerMetaInfo.Decode(meta), StringComparison.Ordinal);
    }

    // Long X-GCS values and key ids leave the stack buffers for pooled ones; the signature must not change with that.
    [Theory]
    [InlineData(10, "kid")]
    [InlineData(3000, "kid")]
    [InlineData(10, "a-key-id-longer-than-the-stack-buffer-of-the-authorization-value-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789")]
    public void LongHeadersAndKeyIdsAreSignedAlike(int metaLength, string keyId)
    {
        var meta = new string('m', metaLength);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("X-GCS-ServerMetaInfo", meta),
            new("x-gcs-Idempotence-Key", " key\r\n  folded "),
            new("X-GCS-ClientMetaInfo", "ü€"),
        };
        const string Canonical = "POST\napplication/json\nFri, 06 Jun 2014 13:39:43 GMT\nx-gcs-clientmetainfo:ü€\nx-gcs-idempotence-key:key folded\n";

        var actual = V1HmacSignature.AuthorizationValue(Secret, keyId, "post", "application/json", Date, headers, "/v1/m%201/payments/p", "?a=%E2%82%AC%20b");

        Assert.Equal(Expected(Canonical + "x-gcs-servermetainfo:" + meta + "\n/v1/m%201/payments/p?a=€ b\n", keyId), actual);
    }

    [Fact]
    public void DerivedIdempotenceKeysDependOnOperationMerchantAndResourceOnly()
    {
        var a = CallContext.DeriveKey("capture", "1234", "pay-1");

        Assert.Equal(a, CallContext.DeriveKey("capture", "1234", "pay-1"));
        Assert.NotEqual(a, CallContext.DeriveKey("tokenize", "1234", "pay-1"));
        Assert.NotEqual(a, CallContext.DeriveKey("capture", "12345", "pay-1"));
        Assert.NotEqual(a, CallContext.DeriveKey("capture", "1234", "pay-2"));
        Assert.StartsWith("ce-capture-", a, StringComparison.Ordinal);
    }

    [Fact]
    public void EachReplayGenerationGetsAKeyOfItsOwnAndGenerationZeroKeepsTheOriginalKey()
    {
        var original = CallContext.DeriveKey("capture", "1234", "pay-1");

        Assert.Equal(original, CallContext.DeriveKey("capture", "1234", "pay-1", 0));
        Assert.NotEqual(original, CallContext.DeriveKey("capture", "1234", "pay-1", 1));
        Assert.NotEqual(CallContext.DeriveKey("capture", "1234", "pay-1", 1), CallContext.DeriveKey("capture", "1234", "pay-1", 2));
        Assert.Equal(CallContext.DeriveKey("capture", "1234", "pay-1", 1), CallContext.DeriveKey("capture", "1234", "pay-1", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CallContext.DeriveKey("capture", "1234", "pay-1", -1));
    }

    private static string Signed(string method, string? contentType, IEnumerable<KeyValuePair<string, string>> headers, string path, string? query) =>
        V1HmacSignature.AuthorizationValue(Secret, KeyId, method, contentType, Date, headers.ToList(), path, query);

    private static string Expected(string stringToSign, string keyId = KeyId) =>
        $"GCS v1HMAC:{keyId}:{Convert.ToBase64String(HMACSHA256.HashData(Secret, Encoding.UTF8.GetBytes(stringToSign)))}";

    // Key id "kid", secret "secret"; the inner handler records what would have been sent.
    private static SigningHandler Handler(TimeProvider time, List<HttpRequestMessage> seen) =>
        new(new TestOptionsMonitor<ConnectOptions>(new ConnectOptions { ApiKeyId = "kid", SecretApiKey = "secret", Endpoint = new Uri("http://127.0.0.1:1/") }), time)
        {
            InnerHandler = new Capture(seen),
        };

    private sealed class Capture(List<HttpRequestMessage> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
