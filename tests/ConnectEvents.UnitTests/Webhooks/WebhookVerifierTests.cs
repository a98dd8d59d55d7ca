using System.Text;
using ConnectEvents.Events;
using ConnectEvents.TestInfrastructure;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.UnitTests.Webhooks;

public sealed class WebhookVerifierTests
{
    private const string KeyId = "key-2026";
    private const string Secret = "known-secret";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "{\"apiVersion\":\"v1\",\"id\":\"evt-1\",\"merchantId\":\"1234\",\"type\":\"payment.paid\",\"payment\":{\"id\":\"p1\"}}");

    // Computed independently (Python hmac/hashlib) for Body under "known-secret".
    private const string KnownSignature = "SWjJI3J1A21mGNkSmQy4KRBJ7wReamYXMp4CFS4oVhQ=";

    private static WebhookVerifier Verifier(params (string Id, string Secret)[] keys)
    {
        var options = new WebhookOptions();
        foreach (var (id, secret) in keys.Length == 0 ? [(KeyId, Secret)] : keys)
        {
            options.SecretKeys.Add(new WebhookSecretKey { KeyId = id, Secret = secret });
        }

        return new WebhookVerifier(new ConfigurationSecretKeyStore(new TestOptionsMonitor<WebhookOptions>(options)));
    }

    private static ValueTask<WebhookVerificationResult> Verify(WebhookVerifier verifier, byte[] body, StringValues signature, StringValues keyId) =>
        verifier.VerifyAsync(body, signature, keyId, CancellationToken.None);

    [Fact]
    public async Task KnownAnswerSignatureIsAccepted()
    {
        var result = await Verify(Verifier(), Body, KnownSignature, KeyId);
        Assert.True(result.IsValid);
        Assert.Equal(KeyId, result.KeyId);
    }

    [Fact]
    public void SignMatchesTheIndependentlyComputedVector()
    {
        Assert.Equal(KnownSignature, WebhookVerifier.Sign(Body, Encoding.UTF8.GetBytes(Secret)));
        // Non-ASCII secrets are keyed by their UTF-8 bytes.
        Assert.Equal("RKY0NhRh2qohbVpewRfhrgIXt56T9CP2poA6WXGEMaQ=", WebhookVerifier.Sign("hello"u8, Encoding.UTF8.GetBytes("sécret")));
    }

    [Fact]
    public async Task MissingSignatureIsRejected()
    {
        var result = await Verify(Verifier(), Body, StringValues.Empty, KeyId);
        Assert.Equal(WebhookFailure.MissingSignature, result.Failure);
    }

    [Fact]
    public async Task EmptySignatureIsRejectedAsMissing()
    {
        var result = await Verify(Verifier(), Body, "", KeyId);
        Assert.Equal(WebhookFailure.MissingSignature, result.Failure);
    }

    [Fact]
    public async Task DuplicateSignatureHeaderIsRejectedEvenWhenBothAreValid()
    {
        var result = await Verify(Verifier(), Body, new StringValues([KnownSignature, KnownSignature]), KeyId);
        Assert.Equal(WebhookFailure.DuplicateSignature, result.Failure);
    }

    [Fact]
    public async Task MissingKeyIdIsRejected()
    {
        var result = await Verify(Verifier(), Body, KnownSignature, StringValues.Empty);
        Assert.Equal(WebhookFailure.MissingKeyId, result.Failure);
    }

    [Fact]
    public async Task DuplicateKeyIdIsRejected()
    {
        var result = await Verify(Verifier(), Body, KnownSignature, new StringValues([KeyId, KeyId]));
        Assert.Equal(WebhookFailure.DuplicateKeyId, result.Failure);
    }

    [Fact]
    public async Task UnknownKeyIdIsDistinguishedFromABadSignature()
    {
        var result = await Verify(Verifier(), Body, KnownSignature, "someone-else");
        Assert.Equal(WebhookFailure.UnknownKeyId, result.Failure);
        Assert.Equal("someone-else", result.KeyId);
    }

    [Fact]
    public async Task OneChangedByteInTheBodyIsRejected()
    {
        var tampered = (byte[])Body.Clone();
        tampered[^3] ^= 0x01;
        var result = await Verify(Verifier(), tampered, KnownSignature, KeyId);
        Assert.Equal(WebhookFailure.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task CrlfLineEndingsChangeTheSignature()
    {
        var lf = Encoding.UTF8.GetBytes("{\n  \"apiVersion\": \"v1\",\n  \"id\": \"evt-2\"\n}");
        var crlf = Encoding.UTF8.GetBytes("{\r\n  \"apiVersion\": \"v1\",\r\n  \"id\": \"evt-2\"\r\n}");
        var signatureOfLf = WebhookVerifier.Sign(lf, Encoding.UTF8.GetBytes(Secret));

        Assert.True((await Verify(Verifier(), lf, signatureOfLf, KeyId)).IsValid);
        Assert.Equal(WebhookFailure.InvalidSignature, (await Verify(Verifier(), crlf, signatureOfLf, KeyId)).Failure);
    }

    [Fact]
    public async Task WrongSecretIsRejected()
    {
        var signature = WebhookVerifier.Sign(Body, "not-the-secret"u8);
        var result = await Verify(Verifier(), Body, signature, KeyId);
        Assert.Equal(WebhookFailure.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task EmptyBodyWithTheSignatureOfAnotherBodyIsRejected()
    {
        var result = await Verify(Verifier(), [], KnownSignature, KeyId);
        Assert.Equal(WebhookFailure.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task EmptyBodyCorrectlySignedPassesVerificationButIsNoEvent()
    {
        var signature = WebhookVerifier.Sign([], Encoding.UTF8.GetBytes(Secret));
        Assert.True((await Verify(Verifier(), [], signature, KeyId)).IsValid);
        Assert.False(ConnectEventEnvelope.Parse([]).IsSuccess);
    }

    [Theory]
    [InlineData("not base64 at all!!")]
    [InlineData("SWjJI3J1A21mGNkSmQy4KRBJ7wReamYXMp4CFS4oVhQ")]
    [InlineData("SWjJI3J1A21mGNkSmQy4KRBJ7wReamYXMp4CFS4oVhQ==")]
    [InlineData("AAAA")]
    [InlineData("SWjJI3J1A21mGNkSmQy4KRBJ7wReamYXMp4CFS4oVh€=")]
    public async Task NonBase64OrWrongLengthSignatureIsRejected(string signature)
    {
        var result = await Verify(Verifier(), Body, signature, KeyId);
        Assert.Equal(WebhookFailure.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task DuringRotationEachLiveKeyIsAccepted()
    {
        var verifier = Verifier(("old", "old-secret"), ("new", "new-secret"));
        var byOld = WebhookVerifier.Sign(Body, "old-secret"u8);
        var byNew = WebhookVerifier.Sign(Body, "new-secret"u8);

        Assert.True((await Verify(verifier, Body, byOld, "old")).IsValid);
        Assert.True((await Verify(verifier, Body, byNew, "new")).IsValid);
        Assert.Equal(WebhookFailure.InvalidSignature, (await Verify(verifier, Body, byOld, "new")).Failure);
    }

    [Fact]
    public async Task ConfigurationKeyStoreFollowsConfigurationChanges()
    {
        var monitor = new TestOptionsMonitor<WebhookOptions>(new WebhookOptions());
        using var store = new ConfigurationSecretKeyStore(monitor);
        Assert.Null(await store.GetSecretAsync("k", CancellationToken.None));

        var updated = new WebhookOptions();
        updated.SecretKeys.Add(new WebhookSecretKey { KeyId = "k", Secret = "s" });
        monitor.Set(updated);

        Assert.Equal("s"u8.ToArray(), await store.GetSecretAsync("k", CancellationToken.None));
    }
}
