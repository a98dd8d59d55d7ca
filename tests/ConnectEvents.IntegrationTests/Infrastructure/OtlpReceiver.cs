using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback OTLP/HTTP trace receiver (protobuf, <c>POST /v1/traces</c>) on real Kestrel: what a collector such as
/// Jaeger or the Aspire dashboard would get from <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>. Decodes just the span fields tests
/// read (the OTLP protobuf package is not served), with a reader of the protobuf wire format written for the purpose.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _server;
    private readonly ConcurrentQueue<OtlpSpan> _spans = new();

    private OtlpReceiver(WebApplication server) => _server = server;

    /// <summary>The endpoint to set as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<OtlpSpan> Spans => [.. _spans];

    /// <summary>How many export requests arrived.</summary>
    public int Requests { get; private set; }

    /// <summary>The settings that point a dev host here, batches sent every 100 ms.</summary>
    public Dictionary<string, string> Settings() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
    };

    /// <summary>Starts the receiver on a free loopback port.</summary>
    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        receiver._server.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            foreach (var span in Decode(buffer.ToArray()))
            {
                receiver._spans.Enqueue(span);
            }

            receiver.Requests++;
            return Results.Bytes([], "application/x-protobuf");
        });
        await receiver._server.StartAsync();
        receiver.Endpoint = new Uri(receiver._server.Urls.Single());
        return receiver;
    }

    /// <summary>Waits (at most 30 s) until <paramref name="condition"/> holds for the spans received.</summary>
    public async Task<IReadOnlyList<OtlpSpan>> WaitForAsync(Func<IReadOnlyList<OtlpSpan>, bool> condition, Func<string> context)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(context);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var spans = Spans;
            if (condition(spans))
            {
                return spans;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the spans awaited did not arrive; {spans.Count} received:\n{string.Join('\n', spans)}\n{context()}");
            }

            await Task.Delay(100);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    /// <summary>The spans of one ExportTraceServiceRequest.</summary>
    internal static List<OtlpSpan> Decode(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                var scope = Fields(scopeSpans.Bytes).FirstOrDefault(f => f.Number == 1).Bytes is { } s ? Text(Fields(s).FirstOrDefault(f => f.Number == 1).Bytes) : "";
                spans.AddRange(Fields(scopeSpans.Bytes).Where(f => f.Number == 2).Select(f => Span(f.Bytes, scope)));
            }
        }

        return spans;
    }

    private static OtlpSpan Span(byte[] bytes, string scope)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var links = new List<(string, string)>();
        var texts = new List<string>();
        foreach (var field in Fields(bytes))
        {
            switch (field.Number)
            {
                case 1: traceId = Convert.ToHexStringLower(field.Bytes); break;
                case 2: spanId = Convert.ToHexStringLower(field.Bytes); break;
                case 4: parent = Convert.ToHexStringLower(field.Bytes); break;
                case 5: name = Text(field.Bytes); texts.Add(name); break;
                case 6: kind = (int)field.Varint; break;
                case 9:
                    var (key, value) = KeyValue(field.Bytes, texts);
                    attributes[key] = value;
                    break;
                case 11: // events: time, name, attributes
                    foreach (var part in Fields(field.Bytes))
                    {
                        if (part.Number == 2)
                        {
                            texts.Add(Text(part.Bytes));
                        }
                        else if (part.Number == 3)
                        {
                            KeyValue(part.Bytes, texts);
                        }
                    }

                    break;
                case 13: // links: trace id, span id, trace state, attributes
                    var link = Fields(field.Bytes).ToList();
                    links.Add((Convert.ToHexStringLower(link.FirstOrDefault(f => f.Number == 1).Bytes ?? []), Convert.ToHexStringLower(link.FirstOrDefault(f => f.Number == 2).Bytes ?? [])));
                    foreach (var part in link.Where(f => f.Number == 4))
                    {
                        KeyValue(part.Bytes, texts);
                    }

                    break;
                case 15: // status: message
                    texts.AddRange(Fields(field.Bytes).Where(f => f.Number == 2).Select(f => Text(f.Bytes)));
                    break;
            }
        }

        return new OtlpSpan(traceId, spanId, parent, name, kind, scope, attributes, links, texts);
    }

    private static (string Key, string Value) KeyValue(byte[] bytes, List<string> texts)
    {
        var key = "";
        var value = "";
        foreach (var field in Fields(bytes))
        {
            if (field.Number == 1)
            {
                key = Text(field.Bytes);
            }
            else if (field.Number == 2)
            {
                value = AnyValue(field.Bytes);
            }
        }

        texts.Add(key);
        texts.Add(value);
        return (key, value);
    }

    private static string AnyValue(byte[] bytes)
    {
        var parts = new List<string>();
        foreach (var field in Fields(bytes))
        {
            parts.Add(field.Number switch
            {
                1 => Text(field.Bytes),
                2 => (field.Varint != 0).ToString(CultureInfo.InvariantCulture),
                3 => ((long)field.Varint).ToString(CultureInfo.InvariantCulture),
                4 => BitConverter.Int64BitsToDouble((long)field.Varint).ToString(CultureInfo.InvariantCulture),
                5 => string.Join(",", Fields(field.Bytes).Where(f => f.Number == 1).Select(f => AnyValue(f.Bytes))), // array: values
                6 => string.Join(",", Fields(field.Bytes).Where(f => f.Number == 1).Select(f => { var texts = new List<string>(); var (k, v) = KeyValue(f.Bytes, texts); return k + "=" + v; })),
                7 => Convert.ToBase64String(field.Bytes),
                _ => "",
            });
        }

        return string.Concat(parts);
    }

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    /// <summary>The fields of one protobuf message: number, and the varint / fixed value or the length-delimited bytes.</summary>
    private static IEnumerable<(int Number, ulong Varint, byte[] Bytes)> Fields(byte[] message)
    {
        var at = 0;
        while (at < message.Length)
        {
            var tag = ReadVarint(message, ref at);
            var number = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    yield return (number, ReadVarint(message, ref at), []);
                    break;
                case 1:
                    yield return (number, BitConverter.ToUInt64(message, at), []);
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    yield return (number, 0, message[at..(at + length)]);
                    at += length;
                    break;
                case 5:
                    yield return (number, BitConverter.ToUInt32(message, at), []);
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {tag & 7} at byte {at}");
            }
        }
    }

    private static ulong ReadVarint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
