using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ConnectEvents.Processing;

/// <summary>Which trigger delivered a message.</summary>
public enum TriggerSource
{
    /// <summary>The Service Bus topic subscription trigger (function ProcessConnectEvent).</summary>
    ServiceBus,

    /// <summary>The Storage queue trigger (function ProcessConnectEventQueue, and the standalone pump).</summary>
    StorageQueue,
}

/// <summary>One delivered message: the exact event bytes and how many times it has been delivered.</summary>
/// <param name="Body">The raw event as Worldline sent it.</param>
/// <param name="DeliveryCount">1 on the first delivery (Service Bus DeliveryCount, queue DequeueCount).</param>
/// <param name="MessageId">The transport's message id, for logs.</param>
/// <param name="Source">The trigger.</param>
public sealed record TriggerMessage(ReadOnlyMemory<byte> Body, int DeliveryCount, string? MessageId, TriggerSource Source);

/// <summary>The invocation payload is not what the Functions host sends.</summary>
public sealed class InvocationFormatException : Exception
{
    /// <summary>Creates the exception naming what is wrong.</summary>
    public InvocationFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public InvocationFormatException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no detail.</summary>
    public InvocationFormatException() : base("The invocation payload is malformed.") { }
}

/// <summary>Reads the host's trigger invocation payload (<c>{"Data":{…},"Metadata":{…}}</c>) and writes its response payload.</summary>
public static class TriggerInvocation
{
    /// <summary>The binding name both trigger function.json files use.</summary>
    public const string BindingName = "message";

    /// <summary>Reads a payload; the message body must be base64 (<c>"dataType": "binary"</c>).</summary>
    /// <exception cref="InvocationFormatException">The payload is not the host's shape; the message names the problem.</exception>
    public static TriggerMessage Parse(ReadOnlyMemory<byte> payload, TriggerSource source)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !TryGet(root, "Data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                throw new InvocationFormatException("the invocation payload has no Data object");
            }

            if (!TryGet(data, BindingName, out var message) || message.ValueKind != JsonValueKind.String)
            {
                throw new InvocationFormatException($"Data.{BindingName} is missing or not a string (the trigger must use \"dataType\": \"binary\")");
            }

            byte[] body;
            try
            {
                body = message.GetBytesFromBase64();
            }
            catch (FormatException ex)
            {
                throw new InvocationFormatException($"Data.{BindingName} is not base64 (the trigger must use \"dataType\": \"binary\")", ex);
            }

            var count = 1;
            string? id = null;
            if (TryGet(root, "Metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                var countName = source == TriggerSource.ServiceBus ? "DeliveryCount" : "DequeueCount";
                if (TryGet(metadata, countName, out var c) && ReadInt(c) is { } n)
                {
                    count = n;
                }

                if (TryGet(metadata, source == TriggerSource.ServiceBus ? "MessageId" : "Id", out var m))
                {
                    id = ReadString(m);
                }
            }

            return new TriggerMessage(body, count, id, source);
        }
        catch (JsonException ex)
        {
            throw new InvocationFormatException($"the invocation payload is not JSON: {ex.Message}", ex);
        }
    }

    /// <summary>The payload the host would send for a queue message (the standalone pump dispatches through it).</summary>
    public static byte[] BuildQueuePayload(ReadOnlySpan<byte> body, long dequeueCount, string messageId, DateTimeOffset? insertionTime)
    {
        var buffer = new ArrayBufferWriter<byte>(body.Length * 4 / 3 + 256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("Data");
            json.WriteBase64String(BindingName, body);
            json.WriteEndObject();
            json.WriteStartObject("Metadata");
            json.WriteString("DequeueCount", dequeueCount.ToString(CultureInfo.InvariantCulture));
            json.WriteString("Id", JsonSerializer.Serialize(messageId, ProcessingJsonContext.Default.String));
            if (insertionTime is { } t)
            {
                json.WriteString("InsertionTime", t.ToString("O", CultureInfo.InvariantCulture));
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The response body the host expects: Outputs, Logs (written by the host at Information), ReturnValue.</summary>
    public static byte[] Response(params ReadOnlySpan<string> logs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("Outputs");
            json.WriteEndObject();
            json.WriteStartArray("Logs");
            foreach (var log in logs)
            {
                json.WriteStringValue(log);
            }

            json.WriteEndArray();
            json.WriteNull("ReturnValue");
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            // The host's names are case-insensitive.
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    // Numbers arrive as strings ("1"); accept real numbers too.
    private static int? ReadInt(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt32(out var n) => n,
        JsonValueKind.String when int.TryParse(ReadString(e), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    // Strings arrive JSON-encoded with their quotes ("\"abc\""); decode once more when they do.
    private static string? ReadString(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.String)
        {
            return e.ValueKind == JsonValueKind.Number ? e.GetRawText() : null;
        }

        var s = e.GetString();
        if (s is { Length: >= 2 } && s[0] == '"' && s[^1] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize(s, ProcessingJsonContext.Default.String);
            }
            catch (JsonException)
            {
                return s;
            }
        }

        return s;
    }
}
