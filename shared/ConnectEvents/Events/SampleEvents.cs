using System.Globalization;
using System.Text.Json;

namespace ConnectEvents.Events;

/// <summary>Builds realistic Connect webhook events (about 1 KB for payments) for the sender tool, local runs, tests and benchmarks.</summary>
public static class SampleEvents
{
    /// <summary>Builds the UTF-8 JSON of one event of <paramref name="type"/> (e.g. payment.pending_capture, token.deleted).</summary>
    /// <param name="type">The event type; its family (payment, refund, payout, token, dispute) picks the carried object.</param>
    /// <param name="merchantId">The merchant id.</param>
    /// <param name="resourceId">The payment/refund/payout/token/dispute id.</param>
    /// <param name="eventId">The event id; a new GUID when null.</param>
    /// <param name="created">The creation time; now when null.</param>
    /// <param name="customerReference">The merchant's customer id written into the payment's references (used by the token vault).</param>
    public static byte[] Build(string type, string merchantId, string resourceId, string? eventId = null,
        DateTimeOffset? created = null, string? customerReference = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var family = type.Split('.')[0];
        var status = type.Contains('.', StringComparison.Ordinal) ? type[(type.IndexOf('.', StringComparison.Ordinal) + 1)..].ToUpperInvariant() : "CREATED";
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("apiVersion", "v1");
            w.WriteString("id", eventId ?? Guid.NewGuid().ToString());
            w.WriteString("created", (created ?? DateTimeOffset.UtcNow).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
            w.WriteString("merchantId", merchantId);
            w.WriteString("type", type);
            w.WritePropertyName(family);
            switch (family)
            {
                case "payment":
                    WritePayment(w, resourceId, status, customerReference);
                    break;
                case "token":
                    w.WriteStartObject();
                    w.WriteString("id", resourceId);
                    if (status != "DELETED")
                    {
                        w.WriteNumber("paymentProductId", 1);
                        w.WriteStartObject("card");
                        w.WriteString("alias", "************1111");
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                    break;
                default:
                    w.WriteStartObject();
                    w.WriteString("id", resourceId);
                    w.WriteString("status", status);
                    w.WriteEndObject();
                    break;
            }

            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WritePayment(Utf8JsonWriter w, string paymentId, string status, string? customerReference)
    {
        w.WriteStartObject();
        w.WriteString("id", paymentId);
        w.WriteStartObject("paymentOutput");
        w.WriteStartObject("amountOfMoney");
        w.WriteNumber("amount", 2980);
        w.WriteString("currencyCode", "EUR");
        w.WriteEndObject();
        w.WriteStartObject("references");
        w.WriteString("merchantReference", customerReference ?? "order-" + paymentId);
        w.WriteNumber("paymentReference", 0);
        w.WriteEndObject();
        w.WriteString("paymentMethod", "card");
        w.WriteStartObject("cardPaymentMethodSpecificOutput");
        w.WriteNumber("paymentProductId", 1);
        w.WriteString("authorisationCode", "OK1131");
        w.WriteStartObject("fraudResults");
        w.WriteString("fraudServiceResult", "no-advice");
        w.WriteStartObject("avsResult");
        w.WriteEndObject();
        w.WriteString("cvvResult", "M");
        w.WriteEndObject();
        w.WriteStartObject("card");
        w.WriteString("cardNumber", "************1111");
        w.WriteString("expiryDate", "1230");
        w.WriteEndObject();
        w.WriteStartObject("threeDSecureResults");
        w.WriteString("eci", "05");
        w.WriteString("xid", "MzE0NjQ5NjI4Nw==");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("status", status);
        w.WriteStartObject("statusOutput");
        w.WriteBoolean("isCancellable", status is "PENDING_CAPTURE" or "PENDING_APPROVAL");
        w.WriteString("statusCategory", status switch
        {
            "PENDING_CAPTURE" or "PENDING_APPROVAL" => "PENDING_MERCHANT",
            "CAPTURE_REQUESTED" or "CAPTURED" or "PAID" => "COMPLETED",
            "REJECTED" or "REJECTED_CAPTURE" => "UNSUCCESSFUL",
            _ => "PENDING_PAYMENT",
        });
        w.WriteNumber("statusCode", status switch { "PENDING_CAPTURE" => 600, "CAPTURE_REQUESTED" => 800, "CAPTURED" => 900, "PAID" => 1000, _ => 0 });
        w.WriteString("statusCodeChangeDateTime", "20261123101500");
        w.WriteBoolean("isAuthorized", status is "PENDING_CAPTURE" or "CAPTURE_REQUESTED" or "CAPTURED" or "PAID" or "PENDING_APPROVAL");
        w.WriteBoolean("isRefundable", status is "CAPTURED" or "PAID");
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
