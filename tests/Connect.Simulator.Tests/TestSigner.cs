using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Connect.Simulator.Tests;

/// <summary>
/// A v1HMAC signer written for these tests from the contract (connect-server-api.md), deliberately separate from the
/// simulator's verifier and from the product's client, so each checks the other.
/// </summary>
internal static partial class TestSigner
{
    /// <summary>The string to sign for a request as HttpClient will put it on the wire.</summary>
    public static string StringToSign(HttpRequestMessage request)
    {
        var text = new StringBuilder();
        text.Append(request.Method.Method).Append('\n');
        text.Append(request.Content?.Headers.ContentType?.ToString() ?? string.Empty).Append('\n');
        text.Append(request.Headers.TryGetValues("Date", out var date) ? date.Single() : string.Empty).Append('\n');
        foreach (var header in request.Headers
            .Where(h => h.Key.StartsWith("x-gcs", StringComparison.OrdinalIgnoreCase))
            .OrderBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal))
        {
            var value = Folding().Replace(string.Join(",", header.Value), " ").Trim();
            text.Append(header.Key.ToLowerInvariant()).Append(':').Append(value).Append('\n');
        }

        var uri = request.RequestUri!;
        text.Append(uri.AbsolutePath);
        if (uri.Query.Length > 0) // a bare '?' is an empty query, signed as "?"
        {
            text.Append('?').Append(Uri.UnescapeDataString(uri.Query[1..]));
        }

        return text.Append('\n').ToString();
    }

    /// <summary>base64(HMAC-SHA256(UTF-8 secret, UTF-8 string to sign)).</summary>
    public static string Signature(string stringToSign, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>Adds Date and Authorization.</summary>
    public static void Sign(HttpRequestMessage request, string keyId, string secret, DateTimeOffset date)
    {
        request.Headers.TryAddWithoutValidation("Date", date.ToString("r", CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("Authorization", $"GCS v1HMAC:{keyId}:{Signature(StringToSign(request), secret)}");
    }

    [GeneratedRegex(@"\r?\n[ \t]*")]
    private static partial Regex Folding();
}
