using System.Diagnostics;
using System.Text;

namespace ConnectEvents.Diagnostics;

/// <summary>
/// The W3C trace context a Storage queue message carries: a Storage queue message has no properties, so the context is
/// one text line before the event's exact bytes, <c>#traceparent=00-{trace}-{span}-{flags}\n</c> (the processing joins
/// that trace as a child) or <c>#tracelink=…\n</c> (a deferred copy, a re-driven successor or a replay: the processing
/// starts a trace of its own, linked to that one). <c>#</c> cannot begin a JSON document, so a message without the line
/// (tracing off, or sent by an older version) is read as it is. <see cref="Read"/> hands the processor, the deferral and
/// replay the bytes after the line: exactly what Worldline signed.
/// </summary>
/// <param name="Context">The span the message was sent from.</param>
/// <param name="IsLink">True: the receiver links to <see cref="Context"/> in a trace of its own; false: it continues that trace.</param>
public readonly record struct QueueTraceHeader(ActivityContext Context, bool IsLink)
{
    private const string ParentMarker = "#traceparent=";
    private const string LinkMarker = "#tracelink=";

    // 00-{32 hex}-{16 hex}-{2 hex}
    private const int TraceParentLength = 55;

    /// <summary>The longest line <see cref="Prepend"/> adds.</summary>
    public static readonly int MaxLength = ParentMarker.Length + TraceParentLength + 1;

    /// <summary>The header that continues the trace of <paramref name="activity"/>; null without one (tracing off).</summary>
    public static QueueTraceHeader? ParentOf(Activity? activity) => activity is null ? null : new QueueTraceHeader(activity.Context, false);

    /// <summary>The header that links to <paramref name="activity"/> from a trace of its own; null without one.</summary>
    public static QueueTraceHeader? LinkTo(Activity? activity) => activity is null ? null : new QueueTraceHeader(activity.Context, true);

    /// <summary>The header that links to the span of a stored <c>traceparent</c>; null when there is none or it is not one.</summary>
    public static QueueTraceHeader? LinkTo(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, out var context) ? new QueueTraceHeader(context, true) : null;

    /// <summary>The W3C <c>traceparent</c> of <paramref name="context"/>.</summary>
    public static string TraceParent(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";

    /// <summary><paramref name="body"/> with <paramref name="header"/>'s line before it; <paramref name="body"/> itself without a header.</summary>
    public static ReadOnlyMemory<byte> Prepend(QueueTraceHeader? header, ReadOnlyMemory<byte> body)
    {
        if (header is not { } h)
        {
            return body;
        }

        var line = Encoding.ASCII.GetBytes((h.IsLink ? LinkMarker : ParentMarker) + TraceParent(h.Context) + "\n");
        var message = new byte[line.Length + body.Length];
        line.CopyTo(message, 0);
        body.Span.CopyTo(message.AsSpan(line.Length));
        return message;
    }

    /// <summary>
    /// Splits a queue message into its header (null when it has none, or a malformed one, which is then left in the body
    /// for the processor to refuse) and the exact bytes after it.
    /// </summary>
    public static QueueTraceHeader? Read(ReadOnlyMemory<byte> message, out ReadOnlyMemory<byte> body)
    {
        body = message;
        var span = message.Span;
        if (span.IsEmpty || span[0] != (byte)'#')
        {
            return null;
        }

        foreach (var (marker, isLink) in Markers)
        {
            var end = marker.Length + TraceParentLength;
            if (span.Length > end && span[end] == (byte)'\n' && span.StartsWith(marker)
                && ActivityContext.TryParse(Encoding.ASCII.GetString(span[marker.Length..end]), null, out var context))
            {
                body = message[(end + 1)..];
                return new QueueTraceHeader(context, isLink);
            }
        }

        return null;
    }

    private static readonly (byte[] Marker, bool IsLink)[] Markers = [(Encoding.ASCII.GetBytes(ParentMarker), false), (Encoding.ASCII.GetBytes(LinkMarker), true)];
}
