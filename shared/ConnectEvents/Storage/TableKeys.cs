using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ConnectEvents.Storage;

/// <summary>
/// Turns arbitrary strings (event ids, merchant ids, customer references, token ids) into Azure Table
/// PartitionKey/RowKey values that obey the service's key rules, reversibly.
/// </summary>
/// <remarks>
/// <para>Key rules: no <c>/</c>, <c>\</c>, <c>#</c>, <c>?</c>, no control characters U+0000–U+001F and U+007F–U+009F,
/// at most 1 KiB. The escape is percent-style and total:</para>
/// <list type="bullet">
/// <item><c>%</c> itself, the four forbidden characters, the control characters and <c>|</c> (our separator inside
/// composite keys) become <c>%XX</c> (two upper-case hex digits; all of them are below U+0100);</item>
/// <item>an unpaired UTF-16 surrogate (possible from a JSON <c>\ud800</c> escape) becomes <c>%uXXXX</c>, because it has
/// no UTF-8 form the service could store;</item>
/// <item>everything else (letters, digits, spaces, quotes, any well-formed Unicode) stays as it is.</item>
/// </list>
/// <para>Whether "1 KiB" counts UTF-8 or UTF-16 bytes is not documented precisely, so a key must fit 1024 bytes in
/// both (at most 512 UTF-16 code units). A longer escaped value keeps an escaped prefix and ends with <c>%~</c> plus
/// the base64url SHA-256 of the whole value's UTF-16 code units: still unique, no longer reversible (the stores keep
/// the original value in a property, so nothing is lost). <c>%~</c> never occurs in a plain escape, so the two forms
/// cannot collide.</para>
/// </remarks>
public static class TableKeys
{
    /// <summary>The most bytes a key may take in UTF-8 and in UTF-16.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Number of hex characters of SHA-256 used as the processed-event partition (16^3 = 4096 partitions).</summary>
    public const int EventPartitionHexChars = 3;

    private const string HashedMarker = "%~";
    private const int HashChars = 43; // base64url of 32 bytes, unpadded

    /// <summary>Escapes <paramref name="value"/> into a valid key; see the type remarks for the scheme.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public static string Escape(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Fit(value, EscapeAll(value));
    }

    /// <summary>Escapes several parts and joins them with <c>|</c> (which the escape never leaves bare), e.g. merchant and customer.</summary>
    /// <exception cref="ArgumentException">A part is null or empty.</exception>
    public static string Composite(params ReadOnlySpan<string> parts)
    {
        var plain = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(parts[i]);
            if (i > 0)
            {
                plain.Append('|');
            }

            plain.Append(EscapeAll(parts[i]));
        }

        var escaped = plain.ToString();
        return Fit(escaped, escaped);
    }

    /// <summary>Reverses <see cref="Escape"/> for keys that were not shortened by hashing.</summary>
    /// <exception cref="FormatException">The key is malformed or was shortened (ends in a hash) and cannot be reversed.</exception>
    public static string Unescape(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var result = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] != '%')
            {
                result.Append(key[i]);
                continue;
            }

            var hexLength = i + 1 < key.Length && key[i + 1] == 'u' ? 4 : 2;
            var start = hexLength == 4 ? i + 2 : i + 1;
            if (start + hexLength > key.Length ||
                !int.TryParse(key.AsSpan(start, hexLength), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                throw new FormatException($"Not an escaped table key (bad or shortened escape at position {i}).");
            }

            result.Append((char)code);
            i = start + hexLength - 1;
        }

        return result.ToString();
    }

    /// <summary>
    /// The original value of a key made by <see cref="Escape"/>, or false for a key shortened by hashing. Prefer this to a
    /// stored copy of the value: a property cannot carry an unpaired surrogate (the wire is UTF-8), a key's escape can.
    /// </summary>
    public static bool TryUnescape(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        value = null;
        if (key.Contains(HashedMarker, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            value = Unescape(key);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The partition of a processed event: the first <see cref="EventPartitionHexChars"/> lower-case hex characters of
    /// SHA-256 over the id's UTF-8 bytes. Spreads sequential or prefixed ids evenly over 4096 partitions, so the
    /// service can split hot ranges across partition servers; reproducible with <c>printf %s id | sha256sum</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="eventId"/> is null or empty.</exception>
    public static string EventPartition(string eventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(eventId), hash);
        return Convert.ToHexStringLower(hash)[..EventPartitionHexChars];
    }

    /// <summary>True when <paramref name="c"/> may not appear in a key.</summary>
    internal static bool IsForbidden(char c) =>
        c is '/' or '\\' or '#' or '?' || c <= '\u001F' || c is >= '\u007F' and <= '\u009F';

    private static string EscapeAll(string value)
    {
        var result = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                result.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                result.Append("%u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (c is '%' or '|' || IsForbidden(c))
            {
                result.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    private static bool FitsAsIs(string key) =>
        key.Length * 2 <= MaxKeyBytes && Encoding.UTF8.GetByteCount(key) <= MaxKeyBytes;

    private static string Fit(string original, string escaped)
    {
        if (FitsAsIs(escaped))
        {
            return escaped;
        }

        // Keep a readable escaped prefix, cut only between escape units and never inside a surrogate pair.
        var budget = (MaxKeyBytes / 2) - HashedMarker.Length - HashChars;
        var cut = 0;
        var utf8 = 0;
        while (cut < escaped.Length)
        {
            var unit = escaped[cut] == '%' ? (escaped[cut + 1] == 'u' ? 6 : 3)
                : char.IsHighSurrogate(escaped[cut]) ? 2 : 1;
            var unitUtf8 = Encoding.UTF8.GetByteCount(escaped.AsSpan(cut, unit));
            if (cut + unit > budget || utf8 + unitUtf8 > MaxKeyBytes - HashedMarker.Length - HashChars)
            {
                break;
            }

            cut += unit;
            utf8 += unitUtf8;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(original.AsSpan()), hash);
        return string.Concat(escaped.AsSpan(0, cut), HashedMarker, Base64Url.EncodeToString(hash));
    }
}
