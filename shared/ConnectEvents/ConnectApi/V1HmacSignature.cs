using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ConnectEvents.ConnectApi;

/// <summary>The v1HMAC request signature of the Connect Server API, as <see cref="SigningHandler"/> puts it on every attempt.</summary>
internal static class V1HmacSignature
{
    /// <summary>The authentication scheme and version prefix of the Authorization header.</summary>
    internal const string AuthorizationPrefix = "GCS v1HMAC:";

    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>
    /// The Authorization header value of a request: <c>GCS v1HMAC:{apiKeyId}:</c> and base64(HMAC-SHA256(secret, UTF-8 of
    /// the string to sign)). The string to sign is the method, Content-Type as sent (empty without a body), Date as sent,
    /// the X-GCS headers (lower-cased names, unfolded trimmed values, ordinal order), then the path as sent and, when the
    /// URI has a query (even an empty one, a bare '?'), '?' and the percent-decoded query; every line ends with a line feed. It is built in a per-thread buffer, never as a string.
    /// </summary>
    /// <param name="secret">The UTF-8 bytes of the secret API key.</param>
    /// <param name="apiKeyId">The API key id.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="contentType">The Content-Type header value exactly as it goes on the wire, or null.</param>
    /// <param name="date">The Date header value exactly as sent.</param>
    /// <param name="gcsHeaders">The X-GCS headers only, values as sent; sorted in place.</param>
    /// <param name="rawPath">The request path as sent, still percent-encoded.</param>
    /// <param name="rawQuery">The query as sent, with or without its leading '?' (so "?" is an empty query), or null or "" for none.</param>
    internal static string AuthorizationValue(ReadOnlySpan<byte> secret, string apiKeyId, string method, string? contentType, string date,
        List<KeyValuePair<string, string>> gcsHeaders, string rawPath, string? rawQuery)
    {
        var sb = Build(method, contentType, date, gcsHeaders, rawPath, rawQuery);
        var length = sb.Length;
        char[]? rented = null;
        var chars = length <= 1024 ? stackalloc char[1024] : (rented = ArrayPool<char>.Shared.Rent(length));
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        try
        {
            sb.CopyTo(0, chars, length);
            if (sb.Capacity > 8192)
            {
                t_builder = null; // do not keep a large buffer per thread
            }

            Mac(secret, chars[..length], mac);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        var total = AuthorizationPrefix.Length + apiKeyId.Length + 1 + Base64.GetMaxEncodedToUtf8Length(mac.Length);
        if (total > 256)
        {
            return string.Concat(AuthorizationPrefix, apiKeyId, ":", Convert.ToBase64String(mac));
        }

        Span<char> value = stackalloc char[256];
        AuthorizationPrefix.CopyTo(value);
        var at = AuthorizationPrefix.Length;
        apiKeyId.CopyTo(value[at..]);
        at += apiKeyId.Length;
        value[at++] = ':';
        Convert.TryToBase64Chars(mac, value[at..], out var written);
        return new string(value[..(at + written)]);
    }

    /// <summary>True for the headers that are signed (names starting with X-GCS, any case).</summary>
    internal static bool IsGcsHeader(string name) => name.StartsWith("X-GCS", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes the string to sign into the thread's builder; <paramref name="headers"/> (X-GCS only) is sorted in place.</summary>
    private static StringBuilder Build(string method, string? contentType, string date, List<KeyValuePair<string, string>> headers, string rawPath, string? rawQuery)
    {
        ArgumentNullException.ThrowIfNull(method);
        // Sorting by the lower-cased name without making lower-cased copies: header names are ASCII tokens, so char-wise lowering is the string's.
        headers.Sort(static (a, b) => CompareLowerOrdinal(a.Key, b.Key));

        var sb = t_builder ??= new StringBuilder(512);
        sb.Clear();
        sb.Append(method.ToUpperInvariant()).Append('\n');
        sb.Append(contentType).Append('\n');
        sb.Append(date).Append('\n');
        foreach (var (name, value) in headers)
        {
            foreach (var c in name)
            {
                sb.Append(char.ToLowerInvariant(c));
            }

            sb.Append(':').Append(Unfold(value)).Append('\n');
        }

        sb.Append(rawPath);
        // A URI has a query as soon as it has its '?', even an empty one: the official SDKs sign "/x?" for "/x?" (what
        // goes on the wire), so only a missing query (null or "") leaves the '?' out.
        if (!string.IsNullOrEmpty(rawQuery))
        {
            sb.Append('?').Append(Uri.UnescapeDataString(rawQuery[0] == '?' ? rawQuery[1..] : rawQuery));
        }

        sb.Append('\n');
        return sb;
    }

    private static int CompareLowerOrdinal(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var d = char.ToLowerInvariant(a[i]) - char.ToLowerInvariant(b[i]);
            if (d != 0)
            {
                return d;
            }
        }

        return a.Length - b.Length;
    }

    private static void Mac(ReadOnlySpan<byte> secret, ReadOnlySpan<char> text, Span<byte> mac)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= 2048 ? stackalloc byte[2048] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            HMACSHA256.HashData(secret, buffer[..length], mac);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The canonical header value of the official SDKs: every line break (CRLF or a lone LF) together with the white space
    /// after it that is not itself a line break becomes one space, then the value is trimmed. Two breaks in a row give two
    /// spaces; a CR without its LF is not a line break and stays.
    /// </summary>
    private static string Unfold(string value)
    {
        if (value.AsSpan().IndexOf('\n') < 0)
        {
            return value.Trim();
        }

        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var crlf = c == '\r' && i + 1 < value.Length && value[i + 1] == '\n';
            if (c != '\n' && !crlf)
            {
                sb.Append(c);
                continue;
            }

            i += crlf ? 1 : 0;
            while (i + 1 < value.Length && value[i + 1] is not ('\r' or '\n') && char.IsWhiteSpace(value[i + 1]))
            {
                i++;
            }

            sb.Append(' ');
        }

        return sb.ToString().Trim();
    }
}
