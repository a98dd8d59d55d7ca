using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace ConnectEvents.ConnectApi;

/// <summary>The v1HMAC request signature of the Connect Server API: the canonical string to sign and its HMAC-SHA256.</summary>
public static class V1HmacSignature
{
    /// <summary>The authentication scheme and version prefix of the Authorization header.</summary>
    public const string AuthorizationPrefix = "GCS v1HMAC:";

    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>
    /// Builds the string to sign: method, Content-Type as sent (empty without a body), Date as sent, the X-GCS headers
    /// (lower-cased names, unfolded trimmed values, ordinal order), then the path as sent and the percent-decoded query;
    /// every line ends with a line feed.
    /// </summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="contentType">The Content-Type header value exactly as it goes on the wire, or null.</param>
    /// <param name="date">The Date header value exactly as sent.</param>
    /// <param name="gcsHeaders">Headers whose names start with X-GCS (others are ignored), values as sent.</param>
    /// <param name="rawPath">The request path as sent, still percent-encoded.</param>
    /// <param name="rawQuery">The query as sent, with or without its leading '?', or null.</param>
    public static string BuildStringToSign(string method, string? contentType, string date, IEnumerable<KeyValuePair<string, string>> gcsHeaders, string rawPath, string? rawQuery)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(gcsHeaders);
        var headers = new List<KeyValuePair<string, string>>(4);
        foreach (var (name, value) in gcsHeaders)
        {
            if (name.StartsWith("X-GCS", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(new(name.ToLowerInvariant(), Unfold(value)));
            }
        }

        headers.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));

        var sb = t_builder ??= new StringBuilder(512);
        sb.Clear();
        sb.Append(method.ToUpperInvariant()).Append('\n');
        sb.Append(contentType).Append('\n');
        sb.Append(date).Append('\n');
        foreach (var (name, value) in headers)
        {
            sb.Append(name).Append(':').Append(value).Append('\n');
        }

        sb.Append(rawPath);
        var query = rawQuery is { Length: > 0 } && rawQuery[0] == '?' ? rawQuery[1..] : rawQuery;
        if (!string.IsNullOrEmpty(query))
        {
            sb.Append('?').Append(Uri.UnescapeDataString(query));
        }

        sb.Append('\n');
        var result = sb.ToString();
        if (sb.Capacity > 8192)
        {
            t_builder = null;
        }

        return result;
    }

    /// <summary>base64(HMAC-SHA256(secret, UTF-8 of <paramref name="stringToSign"/>)).</summary>
    public static string Sign(ReadOnlySpan<byte> secret, string stringToSign)
    {
        ArgumentNullException.ThrowIfNull(stringToSign);
        var max = Encoding.UTF8.GetMaxByteCount(stringToSign.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(stringToSign, buffer);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(secret, buffer[..length], mac);
            return Convert.ToBase64String(mac);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The Authorization header value for <paramref name="apiKeyId"/> and a signature.</summary>
    public static string AuthorizationValue(string apiKeyId, string signature) => string.Concat(AuthorizationPrefix, apiKeyId, ":", signature);

    /// <summary>Replaces every line break and the white space after it with one space, then trims.</summary>
    internal static string Unfold(string value)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') < 0)
        {
            return value.Trim();
        }

        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '\r' or '\n')
            {
                while (i + 1 < value.Length && value[i + 1] is '\r' or '\n' or ' ' or '\t')
                {
                    i++;
                }

                sb.Append(' ');
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString().Trim();
    }
}
