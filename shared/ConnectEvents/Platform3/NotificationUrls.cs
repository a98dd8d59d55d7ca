using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Platform3;

/// <summary>
/// Mints the <c>notificationUrl</c> sent with a v3 payment: the notification endpoint with the merchant, the merchant's
/// payment reference, the key id and a token, <c>?merchant=&lt;id&gt;&amp;ref=&lt;reference&gt;&amp;kid=&lt;key id&gt;&amp;sig=&lt;base64url&gt;</c>.
/// The token is HMAC-SHA256, under a secret of the webhook secret key store, over a purpose label, the merchant and
/// the reference, so a URL cannot be forged without the key, moved to another payment, or confused with a webhook signature.
/// Static so that a command-line tool can mint URLs with a secret it was given.
/// </summary>
public static class NotificationUrls
{
    /// <summary>The query parameter carrying the merchant id.</summary>
    public const string MerchantParameter = "merchant";

    /// <summary>The query parameter carrying the merchant's payment reference.</summary>
    public const string ReferenceParameter = "ref";

    /// <summary>The query parameter carrying the key id (for rotation).</summary>
    public const string KeyIdParameter = "kid";

    /// <summary>The query parameter carrying the token (base64url, no padding).</summary>
    public const string SignatureParameter = "sig";

    /// <summary>The longest payment reference a URL may carry.</summary>
    public const int MaxReferenceLength = 256;

    /// <summary>The longest merchant id a URL may carry.</summary>
    public const int MaxMerchantIdLength = 64;

    /// <summary>The token's length in bytes (HMAC-SHA256).</summary>
    public const int TokenBytes = 32;

    // Separates these MACs from every other use of the same secret (a Connect webhook signature is over a JSON body).
    private const string Purpose = "connect-events/platform3/notification-url/v1";

    /// <summary>The token for one payment, base64url without padding.</summary>
    /// <exception cref="ArgumentException">The merchant id or reference is not one a URL may carry (see <see cref="IsMerchantId"/>, <see cref="IsReference"/>).</exception>
    public static string Token(ReadOnlySpan<byte> secret, string merchantId, string reference)
    {
        Span<byte> mac = stackalloc byte[TokenBytes];
        Compute(secret, merchantId, reference, mac);
        return Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// The full notification URL: <paramref name="endpoint"/> (e.g. <c>https://app.example/api/notifications/v3</c>) with the
    /// merchant, reference, key id and token as query parameters.
    /// </summary>
    /// <exception cref="ArgumentException">A part is empty or not one a URL may carry.</exception>
    public static Uri Build(Uri endpoint, string merchantId, string reference, string keyId, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        var token = Token(secret, merchantId, reference);
        var query = $"{MerchantParameter}={Uri.EscapeDataString(merchantId)}&{ReferenceParameter}={Uri.EscapeDataString(reference)}" +
            $"&{KeyIdParameter}={Uri.EscapeDataString(keyId)}&{SignatureParameter}={token}";
        var builder = new UriBuilder(endpoint) { Query = string.IsNullOrEmpty(endpoint.Query) ? query : endpoint.Query.TrimStart('?') + "&" + query };
        return builder.Uri;
    }

    /// <summary>True for 1 to 64 ASCII letters, digits, <c>.</c>, <c>_</c> or <c>-</c>.</summary>
    public static bool IsMerchantId(string? value) =>
        value is { Length: > 0 and <= MaxMerchantIdLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>True for 1 to 256 characters with no control characters.</summary>
    public static bool IsReference(string? value) =>
        value is { Length: > 0 and <= MaxReferenceLength } && !value.Any(char.IsControl);

    /// <summary>Writes the MAC of the payment into <paramref name="destination"/> (32 bytes).</summary>
    internal static void Compute(ReadOnlySpan<byte> secret, string merchantId, string reference, Span<byte> destination)
    {
        if (!IsMerchantId(merchantId))
        {
            throw new ArgumentException("The merchant id must be 1-64 ASCII letters, digits, '.', '_' or '-'.", nameof(merchantId));
        }

        if (!IsReference(reference))
        {
            throw new ArgumentException("The payment reference must be 1-256 characters without control characters.", nameof(reference));
        }

        var message = Encoding.UTF8.GetBytes($"{Purpose}\n{merchantId}\n{reference}");
        HMACSHA256.HashData(secret, message, destination);
    }
}

/// <summary>Why a notification URL was refused.</summary>
public enum NotificationUrlFailure
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>A parameter is missing or sent more than once.</summary>
    MissingParameter,

    /// <summary>A parameter is not one a minted URL carries (merchant, reference or token shape).</summary>
    MalformedParameter,

    /// <summary>The key id is not one notification URLs are minted or accepted with, or the store does not know it.</summary>
    UnknownKey,

    /// <summary>The token does not match.</summary>
    BadSignature,
}

/// <summary>The verdict on a notification URL; merchant, reference and key id are set only when it is valid.</summary>
/// <param name="Failure">Why it was refused, or <see cref="NotificationUrlFailure.None"/>.</param>
/// <param name="MerchantId">The merchant the URL was minted for.</param>
/// <param name="Reference">The merchant's payment reference.</param>
/// <param name="KeyId">The key that minted it.</param>
public sealed record NotificationUrlVerification(NotificationUrlFailure Failure, string? MerchantId = null, string? Reference = null, string? KeyId = null)
{
    /// <summary>True when the URL is one we minted.</summary>
    public bool IsValid => Failure == NotificationUrlFailure.None;
}

/// <summary>
/// Checks a notification URL's query parameters against the secret key store, in constant time, before anything reads
/// the body. Only key ids in <c>Platform3__NotificationKeyId</c> and <c>Platform3__AcceptedKeyIds</c> are looked up.
/// </summary>
/// <param name="keys">The webhook secret key store.</param>
/// <param name="options">The live key ids.</param>
public sealed class NotificationUrlVerifier(ISecretKeyStore keys, IOptionsMonitor<Platform3Options> options)
{
    /// <summary>Verifies the four parameters as they came in the query string (each must appear exactly once).</summary>
    /// <exception cref="SecretKeyStoreUnavailableException">The key store could not be asked; the caller answers 503.</exception>
    public async ValueTask<NotificationUrlVerification> VerifyAsync(
        StringValues merchantId, StringValues reference, StringValues keyId, StringValues signature, CancellationToken cancellationToken)
    {
        if (merchantId.Count != 1 || reference.Count != 1 || keyId.Count != 1 || signature.Count != 1)
        {
            return new(NotificationUrlFailure.MissingParameter);
        }

        string merchant = merchantId[0]!, paymentReference = reference[0]!, kid = keyId[0]!, sig = signature[0]!;
        Span<byte> presented = stackalloc byte[NotificationUrls.TokenBytes + 3];
        if (!NotificationUrls.IsMerchantId(merchant) || !NotificationUrls.IsReference(paymentReference)
            // DecodeFromChars reports bad input as a status; TryDecodeFromChars throws on it (a forged last character gave a 500).
            || sig.Length != 43 || Base64Url.DecodeFromChars(sig, presented, out _, out var written) != OperationStatus.Done
            || written != NotificationUrls.TokenBytes)
        {
            return new(NotificationUrlFailure.MalformedParameter);
        }

        var token = presented[..NotificationUrls.TokenBytes].ToArray();
        if (!options.CurrentValue.LiveKeyIds().Contains(kid, StringComparer.Ordinal)
            || await keys.GetSecretAsync(kid, cancellationToken) is not { Length: > 0 } secret)
        {
            return new(NotificationUrlFailure.UnknownKey);
        }

        var expected = new byte[NotificationUrls.TokenBytes];
        NotificationUrls.Compute(secret, merchant, paymentReference, expected);
        return CryptographicOperations.FixedTimeEquals(expected, token)
            ? new(NotificationUrlFailure.None, merchant, paymentReference, kid)
            : new(NotificationUrlFailure.BadSignature);
    }
}
