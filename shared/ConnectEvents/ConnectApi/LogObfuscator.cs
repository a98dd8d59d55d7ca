using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConnectEvents.ConnectApi;

/// <summary>Removes secrets and cardholder data from headers and bodies before they are logged.</summary>
public static partial class LogObfuscator
{
    private const string Masked = "****";

    // Keep the last four characters: enough to recognise a card or account, not enough to use it.
    private static readonly HashSet<string> KeepLastFour = new(StringComparer.OrdinalIgnoreCase)
    {
        "cardNumber", "accountNumber", "iban", "bban", "dpan", "pan", "bankAccountNumber",
    };

    // Masked entirely.
    private static readonly HashSet<string> MaskAll = new(StringComparer.OrdinalIgnoreCase)
    {
        "cvv", "cvc", "cvv2", "expiryDate", "pin", "password", "secret", "secretApiKey", "secretKey", "apiKey", "encryptedPayload",
        "encryptedCustomerInput", "cardholderName", "dateOfBirth", "value", "bin", "accountHolderName", "authenticationValue", "xid", "cavv",
    };

    /// <summary>The header value to log: secrets replaced by a fixed mask.</summary>
    public static string Header(string name, string value) => SensitiveHeaders.IsSecret(name) ? "********" : value;

    /// <summary>The body to log: JSON with sensitive fields masked, other text with card-like digit runs masked; cut after <paramref name="maxLength"/> characters.</summary>
    public static string Body(string? body, int maxLength)
    {
        if (string.IsNullOrEmpty(body))
        {
            return string.Empty;
        }

        string result;
        try
        {
            result = ObfuscateJson(body);
        }
        catch (JsonException)
        {
            result = MaskDigitRuns(body);
        }

        return result.Length <= maxLength ? result : string.Concat(result.AsSpan(0, maxLength), $"… ({result.Length - maxLength} more characters cut)");
    }

    private static string ObfuscateJson(string body)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(body), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var output = new ArrayBufferWriter<byte>(body.Length + 16);
        using (var writer = new Utf8JsonWriter(output))
        {
            // The name that governs the next scalar: the pending property, or the property holding the current array.
            var arrays = new Stack<string?>();
            string? pending = null;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pending = reader.GetString();
                        writer.WritePropertyName(pending!);
                        break;
                    case JsonTokenType.StartObject:
                        writer.WriteStartObject();
                        arrays.Push(null);
                        pending = null;
                        break;
                    case JsonTokenType.EndObject:
                        writer.WriteEndObject();
                        arrays.Pop();
                        break;
                    case JsonTokenType.StartArray:
                        writer.WriteStartArray();
                        arrays.Push(pending);
                        pending = null;
                        break;
                    case JsonTokenType.EndArray:
                        writer.WriteEndArray();
                        arrays.Pop();
                        break;
                    case JsonTokenType.String or JsonTokenType.Number:
                        var name = pending ?? (arrays.Count > 0 ? arrays.Peek() : null);
                        pending = null;
                        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : Encoding.UTF8.GetString(reader.ValueSpan);
                        if (name is not null && KeepLastFour.Contains(name))
                        {
                            writer.WriteStringValue(text.Length > 4 ? string.Concat(new string('*', text.Length - 4), text.AsSpan(text.Length - 4)) : Masked);
                        }
                        else if (name is not null && MaskAll.Contains(name))
                        {
                            writer.WriteStringValue(Masked);
                        }
                        else if (reader.TokenType == JsonTokenType.String)
                        {
                            writer.WriteStringValue(MaskDigitRuns(text));
                        }
                        else
                        {
                            writer.WriteRawValue(reader.ValueSpan);
                        }

                        break;
                    case JsonTokenType.True or JsonTokenType.False:
                        writer.WriteBooleanValue(reader.GetBoolean());
                        pending = null;
                        break;
                    case JsonTokenType.Null:
                        writer.WriteNullValue();
                        pending = null;
                        break;
                }
            }
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    // Card-number-like digit runs anywhere in free text keep only their last four digits.
    private static string MaskDigitRuns(string text) =>
        DigitRun().Replace(text, static m => string.Concat(new string('*', m.Length - 4), m.Value.AsSpan(m.Length - 4)));

    [GeneratedRegex(@"\d{12,19}")]
    private static partial Regex DigitRun();
}
