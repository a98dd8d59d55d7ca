using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Webhooks;

/// <summary>
/// Verifies a Connect webhook request: exactly one X-GCS-Signature and one X-GCS-KeyId, a known key id, and an
/// HMAC-SHA256 over the raw body bytes (UTF-8 secret) compared in constant time. It never parses the body: the
/// signature is checked first, the envelope afterwards.
/// </summary>
public sealed class WebhookVerifier(ISecretKeyStore keys)
{
    /// <summary>The signature header name.</summary>
    public const string SignatureHeader = "X-GCS-Signature";

    /// <summary>The key id header name.</summary>
    public const string KeyIdHeader = "X-GCS-KeyId";

    private const int Sha256Bytes = 32;

    /// <summary>Verifies the request given its two header values (as received; several values mean the header was repeated).</summary>
    /// <exception cref="SecretKeyStoreUnavailableException">The key store could not answer; the caller must not treat this as a bad signature.</exception>
    public async ValueTask<WebhookVerificationResult> VerifyAsync(
        ReadOnlyMemory<byte> body, StringValues signatureHeader, StringValues keyIdHeader, CancellationToken cancellationToken)
    {
        if (signatureHeader.Count == 0 || string.IsNullOrEmpty(signatureHeader[0]))
        {
            return WebhookVerificationResult.Fail(WebhookFailure.MissingSignature, null);
        }

        if (signatureHeader.Count > 1)
        {
            return WebhookVerificationResult.Fail(WebhookFailure.DuplicateSignature, null);
        }

        if (keyIdHeader.Count == 0 || string.IsNullOrEmpty(keyIdHeader[0]))
        {
            return WebhookVerificationResult.Fail(WebhookFailure.MissingKeyId, null);
        }

        if (keyIdHeader.Count > 1)
        {
            return WebhookVerificationResult.Fail(WebhookFailure.DuplicateKeyId, null);
        }

        var keyId = keyIdHeader[0]!;
        var secret = await keys.GetSecretAsync(keyId, cancellationToken);
        if (secret is null)
        {
            return WebhookVerificationResult.Fail(WebhookFailure.UnknownKeyId, keyId);
        }

        return IsValidSignature(body.Span, signatureHeader[0]!, secret)
            ? WebhookVerificationResult.Success(keyId)
            : WebhookVerificationResult.Fail(WebhookFailure.InvalidSignature, keyId);
    }

    /// <summary>Computes the signature Connect sends for <paramref name="body"/>: base64(HMAC-SHA256(secret, body)).</summary>
    public static string Sign(ReadOnlySpan<byte> body, ReadOnlySpan<byte> secret)
    {
        Span<byte> mac = stackalloc byte[Sha256Bytes];
        HMACSHA256.HashData(secret, body, mac);
        return Convert.ToBase64String(mac);
    }

    /// <summary>True when <paramref name="signature"/> is the base64 HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static bool IsValidSignature(ReadOnlySpan<byte> body, string signature, byte[] secret)
    {
        // A SHA-256 MAC is 44 base64 characters; anything else cannot match and is not decoded at all.
        Span<byte> expected = stackalloc byte[Sha256Bytes];
        ComputeMac(body, secret, expected);

        Span<byte> given = stackalloc byte[Sha256Bytes + 3];
        Span<byte> ascii = stackalloc byte[48];
        if (signature.Length != 44 || !TryAscii(signature, ascii)
            || Base64.DecodeFromUtf8(ascii[..44], given, out _, out var written) != OperationStatus.Done
            || written != Sha256Bytes)
        {
            // Still compare, so a malformed signature costs the same as a wrong one.
            CryptographicOperations.FixedTimeEquals(expected, given[..Sha256Bytes]);
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given[..Sha256Bytes]);
    }

    // Keying an HMAC (deriving the inner and outer pads) costs about as much as hashing a 1 KB event, so each thread
    // keeps one keyed HMAC for the key it used last; a key store hands out the same array per key, so the
    // reference comparison is enough. The computation is synchronous, so the thread-static is never shared.
    [ThreadStatic]
    private static byte[]? t_macKey;

    [ThreadStatic]
    private static IncrementalHash? t_mac;

    private static void ComputeMac(ReadOnlySpan<byte> body, byte[] secret, Span<byte> destination)
    {
        var mac = t_mac;
        if (mac is null || !ReferenceEquals(t_macKey, secret))
        {
            mac?.Dispose();
            t_mac = mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
            t_macKey = secret;
        }

        mac.AppendData(body);
        mac.GetHashAndReset(destination);
    }

    private static bool TryAscii(string value, Span<byte> destination)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] > 127)
            {
                return false;
            }

            destination[i] = (byte)value[i];
        }

        return true;
    }
}
