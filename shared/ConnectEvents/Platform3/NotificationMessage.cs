using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectEvents.Platform3;

/// <summary>
/// A v3 notification on its queue: who it is about (from the verified URL, never from the body), when it arrived, and the
/// body exactly as received, kept only for diagnostics: the seed gives notifications no signature, so nothing in the body
/// is trusted.
/// <para>
/// On the queue it is framed, not wrapped: the line <c>v3n1</c>, one line of JSON with the verified facts, then the body's
/// bytes untouched, so the body is never re-encoded inside JSON (the queue's own base64 is the only encoding).
/// </para>
/// </summary>
/// <param name="MerchantId">The merchant the URL was minted for.</param>
/// <param name="Reference">The merchant's payment reference.</param>
/// <param name="KeyId">The key that minted the URL.</param>
/// <param name="ReceivedAt">When the notification arrived (the ingress's clock).</param>
public sealed record NotificationMessage(string MerchantId, string Reference, string KeyId, DateTimeOffset ReceivedAt)
{
    private static readonly byte[] Magic = "v3n1\n"u8.ToArray();

    /// <summary>The body as received (empty when none came).</summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The queue message: the frame line, the facts as one JSON line, then the body's bytes.</summary>
    public byte[] Encode()
    {
        var facts = JsonSerializer.SerializeToUtf8Bytes(this, Platform3Json.Default.NotificationMessage);
        var bytes = new byte[Magic.Length + facts.Length + 1 + Body.Length];
        Magic.CopyTo(bytes, 0);
        facts.CopyTo(bytes, Magic.Length);
        bytes[Magic.Length + facts.Length] = (byte)'\n';
        Body.Span.CopyTo(bytes.AsSpan(Magic.Length + facts.Length + 1));
        return bytes;
    }

    /// <summary>Reads a queue message written by <see cref="Encode"/>; null with a reason for anything else (never throws).</summary>
    public static NotificationMessage? Decode(ReadOnlyMemory<byte> message, out string? error)
    {
        error = null;
        var span = message.Span;
        if (!span.StartsWith(Magic))
        {
            error = "not a v3 notification message (no v3n1 frame)";
            return null;
        }

        var rest = span[Magic.Length..];
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            error = "the v3 notification message has no end to its facts line";
            return null;
        }

        try
        {
            var facts = JsonSerializer.Deserialize(rest[..end], Platform3Json.Default.NotificationMessage);
            if (facts is null || !NotificationUrls.IsMerchantId(facts.MerchantId) || !NotificationUrls.IsReference(facts.Reference) || string.IsNullOrEmpty(facts.KeyId))
            {
                error = "the v3 notification message's facts are incomplete";
                return null;
            }

            return facts with { Body = message[(Magic.Length + end + 1)..] };
        }
        catch (JsonException)
        {
            error = "the v3 notification message's facts are not JSON";
            return null;
        }
    }
}
