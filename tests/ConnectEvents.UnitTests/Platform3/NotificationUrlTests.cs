using System.Security.Cryptography;
using System.Text;
using System.Web;
using ConnectEvents.Platform3;
using ConnectEvents.TestInfrastructure;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.UnitTests.Platform3;

/// <summary>
/// Minting and verifying v3 notification URLs: round trip, rotation, tampering, expiry inside the MAC, no key lookup for a
/// key id that is not live or a URL that has expired, and tokens that are never Connect webhook signatures.
/// </summary>
public sealed class NotificationUrlTests
{
    private static readonly Uri Endpoint = new("https://app.example/api/notifications/v3");
    private static readonly byte[] OldSecret = Encoding.UTF8.GetBytes("old-secret-1");
    private static readonly byte[] NewSecret = Encoding.UTF8.GetBytes("new-secret-2");
    private static readonly byte[] ConnectSecret = Encoding.UTF8.GetBytes("connect-webhook-secret");
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset InADay = Now.AddDays(1);

    private readonly CountingKeyStore _keys = new(new() { ["k-old"] = OldSecret, ["k-new"] = NewSecret, ["connect"] = ConnectSecret });
    private readonly FakeTimeProvider _time = new(Now);

    [Fact]
    public async Task AMintedUrlVerifiesAndNamesItsMerchantReferenceAndKey()
    {
        var url = NotificationUrls.Build(Endpoint, "m-1", "order 42/ü", "k-new", NewSecret, InADay);

        var result = await Verifier(minting: "k-new").VerifyAsync(url);

        Assert.True(result.IsValid);
        Assert.Equal(("m-1", "order 42/ü", "k-new"), (result.MerchantId, result.Reference, result.KeyId));
        Assert.StartsWith($"https://app.example/api/notifications/v3?merchant=m-1&ref=order%2042%2F%C3%BC&exp={InADay.ToUnixTimeSeconds()}&kid=k-new&sig=",
            url.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTokenIsAnHmacUnderAKeyDerivedFromTheSecretForUrlsOnly()
    {
        // Known answer, computed here independently: HMAC-SHA256(HMAC-SHA256(secret, purpose), "merchant\nreference\nexp").
        var urlKey = HMACSHA256.HashData(NewSecret, Encoding.UTF8.GetBytes("connect-events/platform3/notification-url-key/v2"));
        var expected = HMACSHA256.HashData(urlKey, Encoding.UTF8.GetBytes($"m-1\nr-1\n{InADay.ToUnixTimeSeconds()}"));

        Assert.Equal(System.Buffers.Text.Base64Url.EncodeToString(expected), NotificationUrls.Token(NewSecret, "m-1", "r-1", InADay));
    }

    [Fact]
    public void NoTokenIsAValidConnectWebhookSignatureOverTheBytesItCovers()
    {
        var token = System.Buffers.Text.Base64Url.DecodeFromChars(NotificationUrls.Token(NewSecret, "m-1", "r-1", InADay));
        var signature = Convert.ToBase64String(token);
        string[] bodies =
        [
            $"m-1\nr-1\n{InADay.ToUnixTimeSeconds()}",
            // What the first version MACed directly under the secret: the purpose label, the merchant and the reference.
            "connect-events/platform3/notification-url/v1\nm-1\nr-1",
            NotificationUrls.KeyPurpose,
        ];

        Assert.All(bodies, body => Assert.False(WebhookVerifier.IsValidSignature(Encoding.UTF8.GetBytes(body), signature, NewSecret), body));
    }

    [Fact]
    public async Task DuringARotationUrlsOfTheOldKeyStillVerifyAndAfterItTheyDoNot()
    {
        var old = NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-old", OldSecret, InADay);

        Assert.True((await Verifier("k-new", "k-old").VerifyAsync(old)).IsValid);
        Assert.Equal(NotificationUrlFailure.UnknownKey, (await Verifier("k-new").VerifyAsync(old)).Failure);
        Assert.True((await Verifier("k-new").VerifyAsync(NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-new", NewSecret, InADay))).IsValid);
    }

    [Fact]
    public async Task AKeyOfTheStoreThatIsNotANotificationKeyCannotMintAUrlAndIsNotLookedUp()
    {
        var forged = NotificationUrls.Build(Endpoint, "m-1", "r-1", "connect", ConnectSecret, InADay);

        Assert.Equal(NotificationUrlFailure.UnknownKey, (await Verifier("k-new").VerifyAsync(forged)).Failure);
        Assert.Equal(0, _keys.Lookups);
    }

    [Fact]
    public async Task AnExpiredUrlIsRefusedWithoutAKeyLookupAndItsExpiryCannotBeMovedOn()
    {
        var url = NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-new", NewSecret, Now.AddMinutes(10));
        var verifier = Verifier("k-new");
        Assert.True((await verifier.VerifyAsync(url)).IsValid);
        var lookups = _keys.Lookups;

        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(NotificationUrlFailure.Expired, (await verifier.VerifyAsync(url)).Failure);
        Assert.Equal(lookups, _keys.Lookups);

        var extended = url.AbsoluteUri.Replace($"exp={Now.AddMinutes(10).ToUnixTimeSeconds()}", $"exp={Now.AddDays(1).ToUnixTimeSeconds()}", StringComparison.Ordinal);
        Assert.Equal(NotificationUrlFailure.BadSignature, (await verifier.VerifyAsync(new Uri(extended))).Failure);
    }

    [Fact]
    public async Task AUrlValidForLongerThanTheConfiguredLifetimeIsRefused()
    {
        var verifier = Verifier("k-new");

        var tooLong = NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-new", NewSecret, Now.AddDays(8));
        var longest = NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-new", NewSecret, Now.AddDays(7));

        Assert.Equal(NotificationUrlFailure.BeyondLifetime, (await verifier.VerifyAsync(tooLong)).Failure);
        Assert.True((await verifier.VerifyAsync(longest)).IsValid);
    }

    [Theory]
    [InlineData("ref=r-1", "ref=r-2")]
    [InlineData("merchant=m-1", "merchant=m-2")]
    [InlineData("kid=k-new", "kid=k-old")]
    [InlineData("&sig=", "&sig=A")]
    [InlineData("ref=r-1", "ref=r-1&ref=r-1")]
    [InlineData("&kid=k-new", "")]
    [InlineData("&exp=", "&exp=0")]
    [InlineData("&exp=", "&exp=+")]
    public async Task ATamperedUrlIsRefused(string find, string replace)
    {
        var url = NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-new", NewSecret, InADay).AbsoluteUri.Replace(find, replace, StringComparison.Ordinal);

        Assert.False((await Verifier("k-new", "k-old").VerifyAsync(new Uri(url))).IsValid);
    }

    [Fact]
    public async Task EveryBitOfTheTokenMatters()
    {
        var url = NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-new", NewSecret, InADay);
        var query = HttpUtility.ParseQueryString(url.Query);
        var token = System.Buffers.Text.Base64Url.DecodeFromChars(query["sig"]);
        for (var bit = 0; bit < token.Length * 8; bit += 7)
        {
            var flipped = (byte[])token.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            var result = await Verifier("k-new").VerifyAsync("m-1", "r-1", query["exp"], "k-new", System.Buffers.Text.Base64Url.EncodeToString(flipped), CancellationToken.None);
            Assert.Equal(NotificationUrlFailure.BadSignature, result.Failure);
        }
    }

    [Fact]
    public async Task AnyLastCharacterOfTheTokenIsRefusedWithoutAnException()
    {
        // A forged last character can leave bits base64url does not allow; the decoder must say so, not throw (it gave a 500).
        var url = NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-new", NewSecret, InADay);
        var query = HttpUtility.ParseQueryString(url.Query);
        var sig = query["sig"]!;
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=!é ";
        foreach (var c in alphabet.Where(c => c != sig[^1]))
        {
            var result = await Verifier("k-new").VerifyAsync("m-1", "r-1", query["exp"], "k-new", sig[..^1] + c, CancellationToken.None);
            Assert.False(result.IsValid, $"last character '{c}' was accepted");
            Assert.Contains(result.Failure, new[] { NotificationUrlFailure.BadSignature, NotificationUrlFailure.MalformedParameter });
        }
    }

    [Theory]
    [InlineData(null, "r", "k-new", "x", NotificationUrlFailure.MissingParameter)]
    [InlineData("m-1", "r", "k-new", "", NotificationUrlFailure.MalformedParameter)]
    [InlineData("m 1", "r", "k-new", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NotificationUrlFailure.MalformedParameter)]
    [InlineData("m-1", "r\n", "k-new", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NotificationUrlFailure.MalformedParameter)]
    [InlineData("m-1", "r", "k-new", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", NotificationUrlFailure.MalformedParameter)]
    [InlineData("m-1", "r", "k-new", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NotificationUrlFailure.BadSignature)]
    public async Task MissingOrMalformedParametersAreRefusedBeforeAnyKeyLookup(string? merchant, string? reference, string? keyId, string? sig, NotificationUrlFailure expected)
    {
        var exp = InADay.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = await Verifier("k-new").VerifyAsync(new StringValues(merchant), new StringValues(reference), exp, new StringValues(keyId), new StringValues(sig), CancellationToken.None);

        Assert.Equal(expected, result.Failure);
        Assert.Equal(expected == NotificationUrlFailure.BadSignature ? 1 : 0, _keys.Lookups);
    }

    [Fact]
    public async Task AKeyStoreThatCannotBeAskedIsNotARefusal()
    {
        var url = NotificationUrls.Build(Endpoint, "m-1", "r-1", "k-new", NewSecret, InADay);
        _keys.Unavailable = true;

        Assert.Equal(NotificationUrlFailure.KeyStoreUnavailable, (await Verifier("k-new").VerifyAsync(url)).Failure);
    }

    [Theory]
    [InlineData("", "r")]
    [InlineData("m:1", "r")]
    [InlineData("m", "")]
    [InlineData("m", "a\u0000b")]
    public void MintingRefusesWhatAUrlMayNotCarry(string merchant, string reference) =>
        Assert.Throws<ArgumentException>(() => NotificationUrls.Build(Endpoint, merchant, reference, "k-new", NewSecret, InADay));

    private NotificationUrlVerifier Verifier(string minting, params string[] accepted)
    {
        var options = new Platform3Options { NotificationKeyId = minting };
        foreach (var id in accepted)
        {
            options.AcceptedKeyIds.Add(id);
        }

        return new NotificationUrlVerifier(_keys, new TestOptionsMonitor<Platform3Options>(options), _time);
    }

    private sealed class CountingKeyStore(Dictionary<string, byte[]> keys) : ISecretKeyStore
    {
        public int Lookups { get; private set; }

        public bool Unavailable { get; set; }

        public ValueTask<byte[]?> GetSecretAsync(string keyId, CancellationToken cancellationToken)
        {
            Lookups++;
            return Unavailable
                ? throw new SecretKeyStoreUnavailableException("the vault is away")
                : ValueTask.FromResult(keys.GetValueOrDefault(keyId));
        }
    }
}

/// <summary>Verifies a whole URL as the function reads it.</summary>
internal static class NotificationUrlVerifierExtensions
{
    public static ValueTask<NotificationUrlVerification> VerifyAsync(this NotificationUrlVerifier verifier, Uri url)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query);
        return verifier.VerifyAsync(
            query.GetValueOrDefault(NotificationUrls.MerchantParameter), query.GetValueOrDefault(NotificationUrls.ReferenceParameter),
            query.GetValueOrDefault(NotificationUrls.ExpiresParameter), query.GetValueOrDefault(NotificationUrls.KeyIdParameter),
            query.GetValueOrDefault(NotificationUrls.SignatureParameter), CancellationToken.None);
    }
}
