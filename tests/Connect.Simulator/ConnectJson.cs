using System.Text.Json.Nodes;

namespace Connect.Simulator;

/// <summary>Builds the Connect response bodies (camelCase, the fields the product reads plus a few realistic neighbours).</summary>
internal static class ConnectJson
{
    /// <summary>Card number with all but the last four digits replaced by <c>*</c>, as Connect returns it.</summary>
    public static string MaskCard(string cardNumber) =>
        cardNumber.Length <= 4 ? cardNumber : new string('*', cardNumber.Length - 4) + cardNumber[^4..];

    public static JsonObject Payment(SimulatedPayment payment)
    {
        var status = StatusInfo.Of(payment.Status);
        var output = PaymentMethodOutput(payment, payment.Amount);
        if (payment.AmountCaptured > 0)
        {
            output["amountPaid"] = payment.AmountCaptured;
        }

        return new JsonObject
        {
            ["id"] = payment.PaymentId,
            ["status"] = payment.Status,
            ["statusOutput"] = new JsonObject
            {
                ["isAuthorized"] = payment.IsAuthorized,
                ["isCancellable"] = status.IsCancellable,
                ["isRefundable"] = status.IsRefundable,
                ["statusCategory"] = status.Category,
                ["statusCode"] = status.Code,
            },
            ["paymentOutput"] = output,
        };
    }

    public static JsonObject Capture(SimulatedPayment payment, SimulatedCapture capture) => new()
    {
        ["id"] = capture.CaptureId,
        ["status"] = "CAPTURE_REQUESTED",
        ["captureOutput"] = PaymentMethodOutput(payment, capture.Amount),
        ["statusOutput"] = new JsonObject
        {
            ["isRetriable"] = false,
            ["statusCode"] = StatusInfo.Of("CAPTURE_REQUESTED").Code,
        },
    };

    public static JsonObject CreatedToken(SimulatedToken token, bool isNew)
    {
        var body = new JsonObject { ["token"] = token.TokenId, ["isNewToken"] = isNew };
        if (token.OriginalPaymentId is not null)
        {
            body["originalPaymentId"] = token.OriginalPaymentId;
        }

        return body;
    }

    public static JsonObject Token(SimulatedToken token)
    {
        var body = new JsonObject { ["id"] = token.TokenId, ["paymentProductId"] = token.PaymentProductId };
        if (token.OriginalPaymentId is not null)
        {
            body["originalPaymentId"] = token.OriginalPaymentId;
        }

        if (token.CardNumber is not null)
        {
            var card = new JsonObject
            {
                ["data"] = new JsonObject
                {
                    ["cardWithoutCvv"] = new JsonObject
                    {
                        ["cardNumber"] = MaskCard(token.CardNumber),
                        ["expiryDate"] = token.ExpiryDate,
                    },
                },
            };
            if (token.Alias is not null)
            {
                card["alias"] = token.Alias;
            }

            body["card"] = card;
        }

        return body;
    }

    private static JsonObject PaymentMethodOutput(SimulatedPayment payment, long amount)
    {
        var output = new JsonObject
        {
            ["amountOfMoney"] = new JsonObject { ["amount"] = amount, ["currencyCode"] = payment.Currency },
            ["references"] = new JsonObject { ["merchantReference"] = payment.MerchantReference },
        };
        if (payment.CardNumber is null)
        {
            output["paymentMethod"] = "redirect";
            output["redirectPaymentMethodSpecificOutput"] = new JsonObject { ["paymentProductId"] = payment.PaymentProductId };
        }
        else
        {
            output["paymentMethod"] = "card";
            output["cardPaymentMethodSpecificOutput"] = new JsonObject
            {
                ["paymentProductId"] = payment.PaymentProductId,
                ["card"] = new JsonObject { ["cardNumber"] = MaskCard(payment.CardNumber), ["expiryDate"] = payment.ExpiryDate },
            };
        }

        return output;
    }

    /// <summary>statusOutput facts per status: category (seed 004's grouping), an approximate legacy status code, and the action flags.</summary>
    private readonly record struct StatusInfo(string Category, int Code, bool IsCancellable, bool IsRefundable)
    {
        public static StatusInfo Of(string status) => status switch
        {
            "CREATED" => new("CREATED", 0, false, false),
            "PENDING_PAYMENT" => new("PENDING_PAYMENT", 20, false, false),
            "REDIRECTED" => new("PENDING_PAYMENT", 50, false, false),
            "ACCOUNT_VERIFIED" => new("ACCOUNT_VERIFIED", 300, false, false),
            "PENDING_FRAUD_APPROVAL" => new("PENDING_MERCHANT", 525, true, false),
            "PENDING_APPROVAL" => new("PENDING_MERCHANT", 600, true, false),
            "PENDING_COMPLETION" => new("PENDING_MERCHANT", 650, true, false),
            "PENDING_CAPTURE" => new("PENDING_MERCHANT", 680, true, false),
            "AUTHORIZATION_REQUESTED" => new("PENDING_CONNECT_OR_3RD_PARTY", 625, false, false),
            "CAPTURE_REQUESTED" => new("PENDING_CONNECT_OR_3RD_PARTY", 800, true, false),
            "CAPTURED" => new("COMPLETED", 900, false, true),
            "PAID" => new("COMPLETED", 1000, false, true),
            "CHARGEBACK_NOTIFICATION" => new("COMPLETED", 1500, false, false),
            "CHARGEBACKED" => new("REVERSED", 1510, false, false),
            "REVERSED" => new("REVERSED", 1520, false, false),
            "REFUNDED" => new("REFUNDED", 1800, false, false),
            "REJECTED" => new("UNSUCCESSFUL", 100, false, false),
            "REJECTED_CAPTURE" => new("UNSUCCESSFUL", 1850, false, false),
            "CANCELLED" => new("UNSUCCESSFUL", 99999, false, false),
            _ => new("UNKNOWN", 0, false, false),
        };
    }
}
