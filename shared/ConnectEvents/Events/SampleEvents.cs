using System.Globalization;
using System.Text.Json;

namespace ConnectEvents.Events;

/// <summary>
/// Builds realistic Connect webhook events (about 1 KB for payments) for the sender tool, local runs, tests and
/// benchmarks, shaped as the official SDK's domain model has them: the envelope's <c>created</c> as
/// <c>yyyy-MM-ddTHH:mm:ss.fff+hhmm</c>; a payment (PaymentOutput with references and card output), refund
/// (RefundResult: refundOutput with card refund output), payout (PayoutResult: payoutOutput), dispute (Dispute:
/// paymentId, disputeOutput) or token (TokenResponse); each with <c>status</c> and <c>statusOutput</c> (statusCategory
/// by the SDK's grouping, an approximate legacy statusCode, statusCodeChangeDateTime as <c>yyyyMMddHHmmss</c>).
/// </summary>
public static class SampleEvents
{
    private const long Amount = 2980;
    private const string Currency = "EUR";
    private const string MaskedCard = "************1111";

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
        var when = created ?? DateTimeOffset.UtcNow;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("apiVersion", "v1");
            w.WriteString("id", eventId ?? Guid.NewGuid().ToString());
            w.WriteString("created", FormatCreated(when));
            w.WriteString("merchantId", merchantId);
            w.WriteString("type", type);
            w.WritePropertyName(family);
            w.WriteStartObject();
            w.WriteString("id", resourceId);
            switch (family)
            {
                case "payment":
                    WritePayment(w, resourceId, customerReference);
                    break;
                case "refund":
                    WriteRefund(w, resourceId);
                    break;
                case "payout":
                    w.WriteStartObject("payoutOutput");
                    WriteOrder(w, "payout-" + resourceId, paymentReference: null);
                    w.WriteEndObject();
                    break;
                case "dispute":
                    WriteDispute(w, resourceId, when);
                    break;
                case "token":
                    WriteToken(w, status);
                    break;
            }

            if (family != "token")
            {
                w.WriteString("status", status);
                WriteStatusOutput(w, family, status, when);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Connect's webhook timestamp: <c>2017-02-02T11:24:14.040+0100</c> (offset without a colon).</summary>
    public static string FormatCreated(DateTimeOffset value)
    {
        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{value:yyyy-MM-dd'T'HH:mm:ss.fff}{sign}{offset.Hours:00}{offset.Minutes:00}");
    }

    /// <summary>
    /// The statusCategory Connect reports for a status, by the grouping in the SDK's OrderStatusOutput; dispute statuses,
    /// which that list does not name, by their meaning.
    /// </summary>
    public static string StatusCategory(string status) => status switch
    {
        "CREATED" or "DRAFT" => "CREATED",
        "PENDING_PAYMENT" or "REDIRECTED" => "PENDING_PAYMENT",
        "ACCOUNT_VERIFIED" => "ACCOUNT_VERIFIED",
        "PENDING_APPROVAL" or "PENDING_COMPLETION" or "PENDING_CAPTURE" or "PENDING_FRAUD_APPROVAL" => "PENDING_MERCHANT",
        "AUTHORIZATION_REQUESTED" or "CAPTURE_REQUESTED" or "PAYOUT_REQUESTED" or "REFUND_REQUESTED" or "SEND_TO_BANK" => "PENDING_CONNECT_OR_3RD_PARTY",
        "CAPTURED" or "PAID" or "ACCOUNT_CREDITED" or "CHARGEBACK_NOTIFICATION" or "SUCCESS" => "COMPLETED",
        "CHARGEBACKED" or "REVERSED" => "REVERSED",
        "REFUNDED" => "REFUNDED",
        "CANCELLED" or "REJECTED" or "REJECTED_CAPTURE" or "REJECTED_CREDIT" or "INVALID_REPRESENTMENT" or "EXPIRED" => "UNSUCCESSFUL",
        _ => "CREATED",
    };

    private static void WritePayment(Utf8JsonWriter w, string paymentId, string? customerReference)
    {
        w.WriteStartObject("paymentOutput");
        WriteOrder(w, customerReference ?? "order-" + paymentId, PaymentReference(paymentId));
        w.WriteNumber("amountPaid", 0);
        w.WriteString("paymentMethod", "card");
        w.WriteStartObject("cardPaymentMethodSpecificOutput");
        w.WriteNumber("paymentProductId", 1);
        w.WriteString("authorisationCode", "OK1131");
        w.WriteStartObject("fraudResults");
        w.WriteString("fraudServiceResult", "no-advice");
        w.WriteString("avsResult", "0");
        w.WriteString("cvvResult", "M");
        w.WriteEndObject();
        w.WriteStartObject("card");
        w.WriteString("cardNumber", MaskedCard);
        w.WriteString("expiryDate", "1230");
        w.WriteEndObject();
        w.WriteStartObject("threeDSecureResults");
        w.WriteString("eci", "05");
        w.WriteString("xid", "MzE0NjQ5NjI4Nw==");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteRefund(Utf8JsonWriter w, string refundId)
    {
        w.WriteStartObject("refundOutput");
        WriteOrder(w, "refund-" + refundId, PaymentReference(refundId));
        w.WriteNumber("amountPaid", Amount);
        w.WriteString("paymentMethod", "card");
        w.WriteStartObject("cardRefundMethodSpecificOutput");
        w.WriteNumber("refundProductId", 1);
        w.WriteNumber("totalAmountPaid", Amount);
        w.WriteNumber("totalAmountRefunded", Amount);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteDispute(Utf8JsonWriter w, string disputeId, DateTimeOffset created)
    {
        var paymentId = "pay-" + disputeId;
        w.WriteString("paymentId", paymentId);
        w.WriteStartObject("disputeOutput");
        WriteAmountOfMoney(w);
        w.WriteStartObject("creationDetails");
        w.WriteString("disputeCreationDate", created.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        w.WriteString("disputeOriginator", "Worldline");
        w.WriteEndObject();
        w.WriteStartObject("reference");
        w.WriteString("merchantReference", "order-" + paymentId);
        w.WriteString("paymentReference", PaymentReference(paymentId));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter w, string status)
    {
        // A deleted token's payload holds only its id.
        if (status == "DELETED")
        {
            return;
        }

        w.WriteNumber("paymentProductId", 1);
        w.WriteStartObject("card");
        w.WriteString("alias", MaskedCard);
        w.WriteStartObject("data");
        w.WriteStartObject("cardWithoutCvv");
        w.WriteString("cardholderName", "Wile E. Coyote");
        w.WriteString("cardNumber", MaskedCard);
        w.WriteString("expiryDate", "1230");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>OrderOutput's common part: amountOfMoney and references (paymentReference only where Connect gives one).</summary>
    private static void WriteOrder(Utf8JsonWriter w, string merchantReference, string? paymentReference)
    {
        WriteAmountOfMoney(w);
        w.WriteStartObject("references");
        w.WriteString("merchantReference", merchantReference);
        if (paymentReference is not null)
        {
            w.WriteString("paymentReference", paymentReference);
        }

        w.WriteEndObject();
    }

    private static void WriteAmountOfMoney(Utf8JsonWriter w)
    {
        w.WriteStartObject("amountOfMoney");
        w.WriteNumber("amount", Amount);
        w.WriteString("currencyCode", Currency);
        w.WriteEndObject();
    }

    private static void WriteStatusOutput(Utf8JsonWriter w, string family, string status, DateTimeOffset changed)
    {
        w.WriteStartObject("statusOutput");
        w.WriteBoolean("isCancellable", status is "PENDING_CAPTURE" or "PENDING_APPROVAL" || (family == "dispute" && status is "DRAFT" or "CREATED"));
        w.WriteString("statusCategory", StatusCategory(status));
        w.WriteNumber("statusCode", LegacyStatusCode(family, status));
        w.WriteString("statusCodeChangeDateTime", changed.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        if (family == "payment")
        {
            w.WriteBoolean("isAuthorized", status is "PENDING_CAPTURE" or "CAPTURE_REQUESTED" or "CAPTURED" or "PAID" or "PENDING_APPROVAL");
            w.WriteBoolean("isRefundable", status is "CAPTURED" or "PAID");
        }

        if (status.StartsWith("REJECTED", StringComparison.Ordinal))
        {
            w.WriteBoolean("isRetriable", false);
        }

        w.WriteEndObject();
    }

    /// <summary>An approximate legacy status code (Connect says not to build logic on it; samples only need it present).</summary>
    private static int LegacyStatusCode(string family, string status) => (family, status) switch
    {
        (_, "CREATED" or "DRAFT") => 0,
        (_, "REJECTED") => 100,
        ("payment", "PENDING_APPROVAL") => 600,
        (_, "PENDING_APPROVAL") => 800,
        (_, "PENDING_CAPTURE") => 600,
        (_, "CAPTURE_REQUESTED" or "REFUND_REQUESTED" or "PAYOUT_REQUESTED" or "SEND_TO_BANK") => 800,
        ("payment", "CAPTURED") => 925,
        (_, "CAPTURED" or "SUCCESS") => 900,
        (_, "PAID" or "ACCOUNT_CREDITED") => 1000,
        (_, "CHARGEBACK_NOTIFICATION" or "CHARGEBACKED") => 1500,
        (_, "REFUNDED") => 1800,
        (_, "REVERSED") => 1850,
        (_, "REJECTED_CAPTURE" or "REJECTED_CREDIT") => 1100,
        (_, "CANCELLED" or "EXPIRED" or "INVALID_REPRESENTMENT") => 99999,
        _ => 0,
    };

    /// <summary>A stable numeric-looking payment reference per id, as Connect's is a string of digits.</summary>
    private static string PaymentReference(string id)
    {
        var hash = 17u;
        foreach (var c in id)
        {
            hash = unchecked((hash * 31) + c);
        }

        return (hash % 1_000_000_000u).ToString("D12", CultureInfo.InvariantCulture);
    }
}
