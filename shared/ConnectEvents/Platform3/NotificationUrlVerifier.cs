using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Platform3;

/// <summary>
/// Checks a notification URL's query parameters before anything reads the body: shape first, then the expiry (no key
/// lookup for an expired URL), then the token under the key's URL key, in constant time. Only key ids in
/// <c>Platform3__NotificationKeyId</c> and <c>Platform3__AcceptedKeyIds</c> are looked up.
/// </summary>
/// <param name="keys">The webhook secret key store.</param>
/// <param name="options">The live key ids and the URL lifetime.</param>
/// <param name="time">The clock the expiry is checked against.</param>
public sealed class NotificationUrlVerifier(ISecretKeyStore keys, IOptionsMonitor<Platform3Options> options, TimeProvider time)
{
    /// <summary>How far a URL's expiry may lie past the configured lifetime: clocks of the minting side may run ahead.</summary>
    public static readonly TimeSpan ClockAllowance = TimeSpan.FromMinutes(5);

    /// <summary>Verifies the five parameters as they came in the query string (each must appear exactly once).</summary>
    public async ValueTask<NotificationUrlVerification> VerifyAsync(
        StringValues merchantId, StringValues reference, StringValues expires, StringValues keyId, StringValues signature, CancellationToken cancellationToken)
    {
        if (merchantId.Count != 1 || reference.Count != 1 || expires.Count != 1 || keyId.Count != 1 || signature.Count != 1)
        {
            return new(NotificationUrlFailure.MissingParameter);
        }

        string merchant = merchantId[0]!, paymentReference = reference[0]!, kid = keyId[0]!, sig = signature[0]!;
        Span<byte> presented = stackalloc byte[NotificationUrls.TokenBytes + 3];
        if (!NotificationUrls.IsMerchantId(merchant) || !NotificationUrls.IsReference(paymentReference)
            || !NotificationUrls.TryParseExpiry(expires[0], out var expiry)
            // DecodeFromChars reports bad input as a status; TryDecodeFromChars throws on it (a forged last character gave a 500).
            || sig.Length != NotificationUrls.TokenChars || Base64Url.DecodeFromChars(sig, presented, out _, out var written) != OperationStatus.Done
            || written != NotificationUrls.TokenBytes)
        {
            return new(NotificationUrlFailure.MalformedParameter);
        }

        var token = presented[..NotificationUrls.TokenBytes].ToArray();
        var settings = options.CurrentValue;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (expiry < now)
        {
            return new(NotificationUrlFailure.Expired);
        }

        if (expiry - now > (long)(settings.NotificationUrlLifetime + ClockAllowance).TotalSeconds)
        {
            return new(NotificationUrlFailure.BeyondLifetime);
        }

        if (!settings.LiveKeyIds().Contains(kid, StringComparer.Ordinal))
        {
            return new(NotificationUrlFailure.UnknownKey);
        }

        byte[]? secret;
        try
        {
            secret = await keys.GetSecretAsync(kid, cancellationToken);
        }
        catch (SecretKeyStoreUnavailableException)
        {
            return new(NotificationUrlFailure.KeyStoreUnavailable);
        }

        if (secret is not { Length: > 0 })
        {
            return new(NotificationUrlFailure.UnknownKey);
        }

        var expected = new byte[NotificationUrls.TokenBytes];
        NotificationUrls.Compute(secret, merchant, paymentReference, expiry, expected);
        return CryptographicOperations.FixedTimeEquals(expected, token)
            ? new(NotificationUrlFailure.None, merchant, paymentReference, kid)
            : new(NotificationUrlFailure.BadSignature);
    }
}
