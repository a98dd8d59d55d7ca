using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Connect.Simulator;

/// <summary>The outcome of checking a request's v1HMAC Authorization header.</summary>
/// <param name="Authenticated">Whether the request is accepted.</param>
/// <param name="ApiKeyId">The key id the request named, when the header could be parsed.</param>
/// <param name="Failure">Why the request was refused (safe to log and return: never the secret or the expected signature).</param>
internal readonly record struct AuthenticationResult(bool Authenticated, string? ApiKeyId, string? Failure)
{
    public static AuthenticationResult Fail(string? apiKeyId, string failure) => new(false, apiKeyId, failure);
}

/// <summary>
/// Server-side check of Connect's v1HMAC scheme, written from the contract alone (not shared with the client):
/// <c>Authorization: GCS v1HMAC:{apiKeyId}:{base64(HMAC-SHA256(secret, stringToSign))}</c>.
/// </summary>
internal sealed partial class V1HmacVerifier(SimulatorOptions options)
{
    private const string Scheme = "GCS v1HMAC:";

    /// <summary>
    /// Builds the string to sign: method, Content-Type and Date exactly as received, the X-GCS headers
    /// (lower-cased names, unfolded and trimmed values, ordinal sort by name), then the raw path and the
    /// percent-decoded query; every line ends with <c>\n</c>.
    /// </summary>
    /// <param name="method">HTTP method (upper-cased here).</param>
    /// <param name="contentType">Content-Type as received, or null/empty when none.</param>
    /// <param name="date">Date as received.</param>
    /// <param name="headers">All request headers (non-X-GCS ones are ignored).</param>
    /// <param name="rawTarget">The request target as sent: percent-encoded path, optionally <c>?query</c>.</param>
    public static string BuildStringToSign(
        string method,
        string? contentType,
        string? date,
        IEnumerable<KeyValuePair<string, string>> headers,
        string rawTarget)
    {
        var builder = new StringBuilder(256);
        builder.Append(method.ToUpperInvariant()).Append('\n');
        builder.Append(contentType ?? string.Empty).Append('\n');
        builder.Append(date ?? string.Empty).Append('\n');

        var gcsHeaders = new List<(string Name, string Value)>(4);
        foreach (var (key, value) in headers)
        {
            if (key.StartsWith("X-GCS", StringComparison.OrdinalIgnoreCase))
            {
                gcsHeaders.Add((key.ToLowerInvariant(), Unfold(value)));
            }
        }

        gcsHeaders.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var (name, value) in gcsHeaders)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        // A bare '?' is an empty query, and still a query: the official SDKs sign "/x?" for a request to "/x?".
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        builder.Append(rawTarget, 0, queryStart < 0 ? rawTarget.Length : queryStart);
        if (queryStart >= 0)
        {
            builder.Append('?').Append(Uri.UnescapeDataString(rawTarget[(queryStart + 1)..]));
        }

        return builder.Append('\n').ToString();
    }

    /// <summary>
    /// Replaces every line break (CRLF or LF) and the white space after it that is not another line break by one space,
    /// then trims: so two breaks in a row give two spaces, and a CR without LF is kept.
    /// </summary>
    public static string Unfold(string value) => LineBreak().Replace(value, " ").Trim();

    [GeneratedRegex(@"\r?\n[\s-[\r\n]]*", RegexOptions.CultureInvariant)]
    private static partial Regex LineBreak();

    /// <summary>Checks the Authorization header against the configured keys and the Date header against the clock.</summary>
    public AuthenticationResult Verify(
        string method,
        string? authorization,
        string? contentType,
        string? date,
        IEnumerable<KeyValuePair<string, string>> headers,
        string rawTarget)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return AuthenticationResult.Fail(null, "Authorization header missing");
        }

        if (!authorization.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return AuthenticationResult.Fail(null, "Authorization header is not 'GCS v1HMAC:{apiKeyId}:{signature}'");
        }

        var rest = authorization.AsSpan(Scheme.Length);
        var separator = rest.LastIndexOf(':');
        if (separator <= 0 || separator == rest.Length - 1)
        {
            return AuthenticationResult.Fail(null, "Authorization header is not 'GCS v1HMAC:{apiKeyId}:{signature}'");
        }

        var keyId = rest[..separator].ToString();
        var signature = rest[(separator + 1)..];

        if (!options.Keys.TryGetValue(keyId, out var secret))
        {
            return AuthenticationResult.Fail(keyId, "unknown API key id");
        }

        if (string.IsNullOrEmpty(date))
        {
            return AuthenticationResult.Fail(keyId, "Date header missing");
        }

        if (!DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent))
        {
            return AuthenticationResult.Fail(keyId, "Date header is not an RFC 1123 date");
        }

        var skew = (options.TimeProvider.GetUtcNow() - sent).Duration();
        if (skew > options.MaxClockSkew)
        {
            return AuthenticationResult.Fail(keyId, $"Date header is {skew.TotalSeconds:0} s away from the server clock (allowed {options.MaxClockSkew.TotalSeconds:0} s)");
        }

        var stringToSign = BuildStringToSign(method, contentType, date, headers, rawTarget);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));

        // Compare the base64 texts byte for byte in constant time; lengths differing is not a secret.
        var expectedBytes = Encoding.ASCII.GetBytes(expected);
        var actualBytes = Encoding.UTF8.GetBytes(signature.ToString());
        return CryptographicOperations.FixedTimeEquals(expectedBytes, actualBytes)
            ? new AuthenticationResult(true, keyId, null)
            : AuthenticationResult.Fail(keyId, "signature does not match");
    }
}
