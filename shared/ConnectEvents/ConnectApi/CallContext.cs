using System.Security.Cryptography;
using System.Text;

namespace ConnectEvents.ConnectApi;

/// <summary>Per-call settings and results: the idempotence key sent, and whether Connect answered with a replay.</summary>
public sealed class CallContext
{
    /// <summary>Creates a context with an optional idempotence key.</summary>
    /// <exception cref="ArgumentException">The key holds a control character (CR, LF, NUL, …), which would end the header it goes in.</exception>
    public CallContext(string? idempotenceKey = null) => IdempotenceKey = RequireHeaderSafe(idempotenceKey, nameof(idempotenceKey));

    /// <summary>The X-GCS-Idempotence-Key to send; a POST or DELETE is retried only when this is set.</summary>
    public string? IdempotenceKey { get; }

    /// <summary>Optional caller metadata (a JSON object, on one line) sent base64-encoded as X-GCS-ClientMetaInfo.</summary>
    /// <exception cref="ArgumentException">The value holds a control character (CR, LF, NUL, …).</exception>
    public string? ClientMetaInfo
    {
        get;
        init => field = RequireHeaderSafe(value, nameof(ClientMetaInfo));
    }

    /// <summary>Set after the call: X-GCS-Idempotence-Request-Timestamp (ms since the epoch) when the response replays an earlier request with this key.</summary>
    public long? IdempotenceRequestTimestamp { get; internal set; }

    /// <summary>True when Connect answered with the stored response of an earlier request with the same key.</summary>
    public bool WasReplayed => IdempotenceRequestTimestamp is not null;

    /// <summary>
    /// A stable idempotence key for an operation on a resource, e.g. ("capture", merchant, payment): the same inputs always
    /// give the same key, so two deliveries or two different events for one payment cannot act twice.
    /// </summary>
    public static string DeriveKey(string operation, string merchantId, string resourceId) => DeriveKey(operation, merchantId, resourceId, 0);

    /// <summary>
    /// <see cref="DeriveKey(string, string, string)"/> for the <paramref name="replayGeneration"/>-th operator replay of the
    /// event that acts: Connect keeps a refusal under its key, so a replay after the cause was fixed must send a key of its
    /// own to reach Connect at all. Generation 0 (never replayed) gives the key without a generation.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="replayGeneration"/> is negative.</exception>
    public static string DeriveKey(string operation, string merchantId, string resourceId, int replayGeneration)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentException.ThrowIfNullOrEmpty(merchantId);
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        ArgumentOutOfRangeException.ThrowIfNegative(replayGeneration);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var input = replayGeneration == 0
            ? string.Join('\u001f', operation, merchantId, resourceId)
            : string.Join('\u001f', operation, merchantId, resourceId, replayGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        return string.Concat("ce-", operation, "-", Convert.ToHexStringLower(hash[..16]));
    }

    /// <summary>
    /// Returns <paramref name="value"/> when it can go in a request header as it is: no control character (CR, LF, NUL,
    /// DEL, C1), so it can neither end the header and start another nor be cut short.
    /// </summary>
    /// <exception cref="ArgumentException">The value holds a control character; the message names <paramref name="name"/>, never the value.</exception>
    internal static string? RequireHeaderSafe(string? value, string name)
    {
        if (value is not null && value.Any(char.IsControl))
        {
            throw new ArgumentException($"{name} must not contain control characters (CR, LF, NUL, ...): it goes in a request header.", name);
        }

        return value;
    }
}
