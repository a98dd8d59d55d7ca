using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectEvents.ConnectApi;

/// <summary>Base of every Connect object: fields this product does not model are kept, not dropped.</summary>
public abstract class ConnectObject
{
    /// <summary>Fields not modelled here, as received.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
}

/// <summary>An amount in the smallest unit of a currency.</summary>
public sealed class AmountOfMoney : ConnectObject
{
    /// <summary>The amount in cents (or the currency's smallest unit).</summary>
    public long? Amount { get; set; }

    /// <summary>The ISO 4217 currency code.</summary>
    public string? CurrencyCode { get; set; }
}

/// <summary>Where an object is in its life cycle.</summary>
public sealed class StatusOutput : ConnectObject
{
    /// <summary>True when the payment is authorized.</summary>
    public bool? IsAuthorized { get; set; }

    /// <summary>True when it can still be cancelled.</summary>
    public bool? IsCancellable { get; set; }

    /// <summary>True when it can be refunded.</summary>
    public bool? IsRefundable { get; set; }

    /// <summary>The status category (for example PENDING_MERCHANT).</summary>
    public string? StatusCategory { get; set; }

    /// <summary>The numeric status code.</summary>
    public int? StatusCode { get; set; }
}

/// <summary>The merchant's references of a payment.</summary>
public sealed class PaymentReferences : ConnectObject
{
    /// <summary>The merchant's own reference (by default our customer reference for the token vault).</summary>
    public string? MerchantReference { get; set; }

    /// <summary>The merchant's order id.</summary>
    public long? MerchantOrderId { get; set; }
}

/// <summary>A card as the API shows it (number obfuscated).</summary>
public sealed class CardOutput : ConnectObject
{
    /// <summary>The obfuscated card number.</summary>
    public string? CardNumber { get; set; }

    /// <summary>The expiry date (MMYY).</summary>
    public string? ExpiryDate { get; set; }
}

/// <summary>Card-specific payment output.</summary>
public sealed class CardPaymentMethodSpecificOutput : ConnectObject
{
    /// <summary>The payment product id (1 = Visa, 3 = MasterCard, …).</summary>
    public int? PaymentProductId { get; set; }

    /// <summary>The card.</summary>
    public CardOutput? Card { get; set; }

    /// <summary>The token created with the payment, if any.</summary>
    public string? Token { get; set; }
}

/// <summary>The output part of a payment.</summary>
public sealed class PaymentOutput : ConnectObject
{
    /// <summary>The amount.</summary>
    public AmountOfMoney? AmountOfMoney { get; set; }

    /// <summary>The merchant's references.</summary>
    public PaymentReferences? References { get; set; }

    /// <summary>The payment method (card, redirect, …).</summary>
    public string? PaymentMethod { get; set; }

    /// <summary>Card details when the method is card.</summary>
    public CardPaymentMethodSpecificOutput? CardPaymentMethodSpecificOutput { get; set; }
}

/// <summary>A payment (GET payment, and the payment inside other responses).</summary>
public sealed class PaymentResponse : ConnectObject
{
    /// <summary>The payment id.</summary>
    public string? Id { get; set; }

    /// <summary>The status (CREATED, PENDING_CAPTURE, CAPTURE_REQUESTED, CAPTURED, PAID, …).</summary>
    public string? Status { get; set; }

    /// <summary>Status details.</summary>
    public StatusOutput? StatusOutput { get; set; }

    /// <summary>Amount, references, method.</summary>
    public PaymentOutput? PaymentOutput { get; set; }
}

/// <summary>The body of capture payment.</summary>
public sealed class CapturePaymentRequest : ConnectObject
{
    /// <summary>The amount to capture; null captures the full amount.</summary>
    public long? Amount { get; set; }

    /// <summary>True when no further captures follow.</summary>
    public bool? IsFinal { get; set; }
}

/// <summary>The output part of a capture.</summary>
public sealed class CaptureOutput : ConnectObject
{
    /// <summary>The captured amount.</summary>
    public AmountOfMoney? AmountOfMoney { get; set; }
}

/// <summary>The answer to capture payment.</summary>
public sealed class CaptureResponse : ConnectObject
{
    /// <summary>The capture id.</summary>
    public string? Id { get; set; }

    /// <summary>The capture status (CAPTURE_REQUESTED, …).</summary>
    public string? Status { get; set; }

    /// <summary>Amount details.</summary>
    public CaptureOutput? CaptureOutput { get; set; }

    /// <summary>Status details.</summary>
    public StatusOutput? StatusOutput { get; set; }
}

/// <summary>The body of create token from payment.</summary>
public sealed class TokenizePaymentRequest : ConnectObject
{
    /// <summary>An alias shown to the customer; never sensitive data.</summary>
    public string? Alias { get; set; }
}

/// <summary>The answer to create token from payment.</summary>
public sealed class CreateTokenResponse : ConnectObject
{
    /// <summary>The token id.</summary>
    public string? Token { get; set; }

    /// <summary>False when the card already had a token.</summary>
    public bool? IsNewToken { get; set; }

    /// <summary>The payment the token was made from.</summary>
    public string? OriginalPaymentId { get; set; }
}

/// <summary>Payment product ids and groups to restrict to or exclude.</summary>
public sealed class PaymentProductFilter : ConnectObject
{
    /// <summary>Product groups (currently only "cards").</summary>
    public IList<string>? Groups { get; set; }

    /// <summary>Payment product ids.</summary>
    public IList<int>? Products { get; set; }
}

/// <summary>The payment product filters of a client session.</summary>
public sealed class PaymentProductFiltersClientSession : ConnectObject
{
    /// <summary>Only these may be offered.</summary>
    public PaymentProductFilter? RestrictTo { get; set; }

    /// <summary>These are never offered (wins over restrictTo).</summary>
    public PaymentProductFilter? Exclude { get; set; }
}

/// <summary>The body of create session.</summary>
public sealed class SessionRequest : ConnectObject
{
    /// <summary>Stored tokens of the customer to offer.</summary>
    public IList<string>? Tokens { get; set; }

    /// <summary>Product filters.</summary>
    public PaymentProductFiltersClientSession? PaymentProductFilters { get; set; }
}

/// <summary>The answer to create session.</summary>
public sealed class SessionResponse : ConnectObject
{
    /// <summary>The session id for the Client API.</summary>
    public string? ClientSessionId { get; set; }

    /// <summary>The customer id the Client API uses in its URIs.</summary>
    public string? CustomerId { get; set; }

    /// <summary>The datacenter-specific Client API base URL.</summary>
    public string? ClientApiUrl { get; set; }

    /// <summary>The datacenter-specific asset base URL.</summary>
    public string? AssetUrl { get; set; }

    /// <summary>Requested tokens that can no longer be used; forget them.</summary>
    public IList<string>? InvalidTokens { get; set; }

    /// <summary>Deprecated datacenter region (use the URLs instead).</summary>
    public string? Region { get; set; }
}

/// <summary>System.Text.Json source generation for the Connect objects (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PaymentResponse))]
[JsonSerializable(typeof(CapturePaymentRequest))]
[JsonSerializable(typeof(CaptureResponse))]
[JsonSerializable(typeof(TokenizePaymentRequest))]
[JsonSerializable(typeof(CreateTokenResponse))]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(SessionResponse))]
public sealed partial class ConnectJsonContext : JsonSerializerContext;
