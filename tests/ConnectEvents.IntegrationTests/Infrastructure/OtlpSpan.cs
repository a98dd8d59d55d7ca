namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>One span as an OTLP exporter sent it: ids in lower-case hex, attributes as text.</summary>
/// <param name="TraceId">32 hex digits.</param>
/// <param name="SpanId">16 hex digits.</param>
/// <param name="ParentSpanId">16 hex digits, or empty for a root.</param>
/// <param name="Name">The span's name.</param>
/// <param name="Kind">1 internal, 2 server, 3 client, 4 producer, 5 consumer.</param>
/// <param name="Scope">The instrumentation scope (the ActivitySource's name).</param>
/// <param name="Attributes">Every attribute, its value as text.</param>
/// <param name="Links">The (trace id, span id) each link points to.</param>
/// <param name="Texts">Every string the span holds (name, attributes, events, links, status), for the secrets scan.</param>
public sealed record OtlpSpan(
    string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<(string TraceId, string SpanId)> Links, IReadOnlyList<string> Texts)
{
    /// <summary>The attribute's value, or null.</summary>
    public string? this[string attribute] => Attributes.TryGetValue(attribute, out var value) ? value : null;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Scope}) {TraceId}/{SpanId} parent {ParentSpanId}";
}
