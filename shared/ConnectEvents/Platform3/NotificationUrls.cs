using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConnectEvents.Platform3;

/// <summary>
/// Mints the <c>notificationUrl</c> sent with a v3 payment: the notification endpoint with the merchant, the merchant's
/// payment reference, an expiry, the key id and a token:
/// <c>?merchant=&lt;id&gt;&amp;ref=&lt;reference&gt;&amp;exp=&lt;unix seconds&gt;&amp;kid=&lt;key id&gt;&amp;sig=&lt;base64url&gt;</c>.
/// <para>
/// The token is HMAC-SHA256 over the merchant, the reference and the expiry, under a key derived from a webhook secret
/// for this purpose only (HMAC-SHA256 of the secret over <see cref="KeyPurpose"/>). So a URL cannot be forged without the
/// secret, moved to another payment or extended, and because no token is ever a MAC under the secret itself, no token is
/// a valid Connect <c>X-GCS-Signature</c> and no webhook signature is a valid token.
/// </para>
/// Static so that a command-line tool (or the merchant's backend) can mint URLs with a secret it was given.
/// </summary>
public static class NotificationUrls
{
    /// <summary>The query parameter carrying the merchant id.</summary>
    public const string MerchantParameter = "merchant";

    /// <summary>The query parameter carrying the merchant's payment reference.</summary>
    public const string ReferenceParameter = "ref";

    /// <summary>The query parameter carrying the expiry: whole seconds since the Unix epoch, inside the MAC.</summary>
    public const string ExpiresParameter = "exp";

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

    /// <summary>The token's length in base64url characters, without padding.</summary>
    public const int TokenChars = 43;

    /// <summary>What the URL key is derived for: a secret's URL key is HMAC-SHA256(secret, this label), used for nothing else.</summary>
    public const string KeyPurpose = "connect-events/platform3/notification-url-key/v2";

    /// <summary>The token for one payment's URL, base64url without padding.</summary>
    /// <exception cref="ArgumentException">The merchant id or reference is not one a URL may carry (see <see cref="IsMerchantId"/>, <see cref="IsReference"/>).</exception>
    public static string Token(ReadOnlySpan<byte> secret, string merchantId, string reference, DateTimeOffset expiresAt)
    {
        Span<byte> mac = stackalloc byte[TokenBytes];
        Compute(secret, merchantId, reference, expiresAt.ToUnixTimeSeconds(), mac);
        return Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// The full notification URL: <paramref name="endpoint"/> (e.g. <c>https://app.example/api/notifications/v3</c>) with the
    /// merchant, reference, expiry, key id and token as query parameters. The URL stops working at <paramref name="expiresAt"/>
    /// (whole seconds), and the app refuses one valid for longer than <c>Platform3__NotificationUrlLifetime</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A part is empty or not one a URL may carry.</exception>
    public static Uri Build(Uri endpoint, string merchantId, string reference, string keyId, ReadOnlySpan<byte> secret, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        var expires = expiresAt.ToUnixTimeSeconds();
        ArgumentOutOfRangeException.ThrowIfNegative(expires, nameof(expiresAt));
        var token = Token(secret, merchantId, reference, expiresAt);
        var query = $"{MerchantParameter}={Uri.EscapeDataString(merchantId)}&{ReferenceParameter}={Uri.EscapeDataString(reference)}" +
            $"&{ExpiresParameter}={expires.ToString(CultureInfo.InvariantCulture)}&{KeyIdParameter}={Uri.EscapeDataString(keyId)}&{SignatureParameter}={token}";
        var builder = new UriBuilder(endpoint) { Query = string.IsNullOrEmpty(endpoint.Query) ? query : endpoint.Query.TrimStart('?') + "&" + query };
        return builder.Uri;
    }

    /// <summary>True for 1 to 64 ASCII letters, digits, <c>.</c>, <c>_</c> or <c>-</c>.</summary>
    public static bool IsMerchantId(string? value) =>
        value is { Length: > 0 and <= MaxMerchantIdLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>True for 1 to 256 characters with no control characters.</summary>
    public static bool IsReference(string? value) =>
        value is { Length: > 0 and <= MaxReferenceLength } && !value.Any(char.IsControl);

    /// <summary>Reads an expiry as a URL carries it: 1 to 12 ASCII digits, no sign, no leading zero.</summary>
    public static bool TryParseExpiry(string? value, out long unixSeconds)
    {
        unixSeconds = 0;
        return value is { Length: > 0 and <= 12 } && (value.Length == 1 || value[0] != '0') && value.All(char.IsAsciiDigit)
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out unixSeconds);
    }

    /// <summary>Writes the token of the payment's URL into <paramref name="destination"/> (32 bytes).</summary>
    internal static void Compute(ReadOnlySpan<byte> secret, string merchantId, string reference, long expires, Span<byte> destination)
    {
        if (!IsMerchantId(merchantId))
        {
            throw new ArgumentException("The merchant id must be 1-64 ASCII letters, digits, '.', '_' or '-'.", nameof(merchantId));
        }

        if (!IsReference(reference))
        {
            throw new ArgumentException("The payment reference must be 1-256 characters without control characters.", nameof(reference));
        }

        Span<byte> urlKey = stackalloc byte[TokenBytes];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(KeyPurpose), urlKey);
        var message = Encoding.UTF8.GetBytes($"{merchantId}\n{reference}\n{expires.ToString(CultureInfo.InvariantCulture)}");
        HMACSHA256.HashData(urlKey, message, destination);
        CryptographicOperations.ZeroMemory(urlKey);
    }
}
