using System.Globalization;
using System.Text.Json;

namespace ConnectEvents.Events;

/// <summary>
/// The routing facts of one Connect webhook event (apiVersion, id, merchantId, type and the carried
/// object's kind and id), read from the raw bytes without building the full domain model.
/// </summary>
/// <param name="ApiVersion">The event's apiVersion; Connect sends <c>v1</c>.</param>
/// <param name="Id">The event id: unique per event and the same on every redelivery.</param>
/// <param name="MerchantId">The merchant the event belongs to.</param>
/// <param name="Type">The event type, e.g. <c>payment.pending_capture</c>.</param>
/// <param name="ResourceType">Which object the event carries (payment, refund, payout, token, dispute, capture), or null.</param>
/// <param name="ResourceId">The carried object's id, or null when it has none.</param>
/// <param name="Created">The event's <c>created</c> time; null when absent or not an ISO 8601 date-time (it is informational, so never a reason to reject).</param>
public sealed record ConnectEventEnvelope(
    string ApiVersion,
    string Id,
    string MerchantId,
    string Type,
    string? ResourceType,
    string? ResourceId,
    DateTimeOffset? Created = null)
{
    /// <summary>The only apiVersion this product accepts.</summary>
    public const string SupportedApiVersion = "v1";

    /// <summary>
    /// Connect's own form, <c>2017-02-02T11:24:14.040+0100</c>: an ISO 8601 time whose offset has no colon, which the
    /// JSON reader's ISO parser does not take.
    /// </summary>
    private static bool TryParseCompactOffset(string? value, out DateTimeOffset at)
    {
        at = default;
        return value is { Length: > 5 } && value[^5] is '+' or '-' && !value.AsSpan(value.Length - 4).ContainsAnyExceptInRange('0', '9')
            && DateTimeOffset.TryParseExact(string.Concat(value.AsSpan(0, value.Length - 2), ":", value.AsSpan(value.Length - 2)),
                ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:sszzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    /// <summary>The id of the payment the event carries; null for any other object. The one place "is this a payment" is decided.</summary>
    public string? PaymentId => ResourceType == "payment" ? ResourceId : null;

    /// <summary>The event type's family: the part before the first dot (payment, refund, token, …).</summary>
    public string Family => Type.IndexOf('.', StringComparison.Ordinal) is var dot and > 0 ? Type[..dot] : Type;

    /// <summary>
    /// Reads the envelope from the exact bytes Worldline sent. The whole document is checked to be well-formed
    /// JSON; nested objects other than the carried resource's id are skipped, not materialised.
    /// </summary>
    /// <returns>The envelope, or a failure naming what is wrong with the body (never throws for bad input).</returns>
    public static EnvelopeParseResult Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return EnvelopeParseResult.Fail("the body is empty");
        }

        string? apiVersion = null, id = null, merchantId = null, type = null;
        string? resourceType = null, resourceId = null;
        DateTimeOffset? created = null;
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return EnvelopeParseResult.Fail("the body is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("apiVersion"u8))
                {
                    apiVersion = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    id = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("merchantId"u8))
                {
                    merchantId = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    type = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("created"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && (reader.TryGetDateTimeOffset(out var at) || TryParseCompactOffset(reader.GetString(), out at)))
                    {
                        created = at;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (ResourceName(ref reader) is { } resource)
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        resourceType ??= resource;
                        var nestedId = ReadObjectId(ref reader);
                        if (resourceType == resource)
                        {
                            resourceId ??= nestedId;
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return EnvelopeParseResult.Fail("the body is not a single JSON object");
            }
        }
        catch (JsonException ex)
        {
            return EnvelopeParseResult.Fail("the body is not valid JSON (" + ex.Message.Split('.')[0] + ")");
        }
        catch (InvalidOperationException)
        {
            return EnvelopeParseResult.Fail("an envelope field has the wrong JSON type");
        }

        if (string.IsNullOrEmpty(id))
        {
            return EnvelopeParseResult.Fail("the event has no id");
        }

        if (string.IsNullOrEmpty(type))
        {
            return EnvelopeParseResult.Fail("the event has no type");
        }

        if (string.IsNullOrEmpty(merchantId))
        {
            return EnvelopeParseResult.Fail("the event has no merchantId");
        }

        if (apiVersion != SupportedApiVersion)
        {
            return EnvelopeParseResult.Fail(apiVersion is null
                ? "the event has no apiVersion"
                : "unsupported apiVersion '" + Truncate(apiVersion) + "' (expected v1)");
        }

        return EnvelopeParseResult.Ok(new ConnectEventEnvelope(apiVersion, id, merchantId, type, resourceType, resourceId, created));
    }

    private static string? ResourceName(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("payment"u8)) return "payment";
        if (reader.ValueTextEquals("refund"u8)) return "refund";
        if (reader.ValueTextEquals("payout"u8)) return "payout";
        if (reader.ValueTextEquals("token"u8)) return "token";
        if (reader.ValueTextEquals("dispute"u8)) return "dispute";
        if (reader.ValueTextEquals("capture"u8)) return "capture";
        return null;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new InvalidOperationException("expected a string"),
        };
    }

    // Reader is on the object's StartObject; leaves it on the matching EndObject.
    private static string? ReadObjectId(ref Utf8JsonReader reader)
    {
        string? found = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (found is null && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                found = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return found;
    }

    private static string Truncate(string value) => value.Length <= 20 ? value : value[..20] + "…";
}
