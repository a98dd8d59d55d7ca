namespace Connect.Simulator;

/// <summary>A payment the simulator holds, as a snapshot: changes replace the whole record.</summary>
/// <param name="MerchantId">The merchant the payment belongs to (the <c>{merchantId}</c> path segment).</param>
/// <param name="PaymentId">The payment id (the <c>{paymentId}</c> path segment).</param>
/// <param name="Status">Connect status, e.g. <c>PENDING_CAPTURE</c>, <c>CAPTURE_REQUESTED</c>.</param>
/// <param name="Amount">Authorized amount in the currency's minor unit (cents).</param>
/// <param name="Currency">ISO 4217 currency code.</param>
/// <param name="PaymentProductId">Connect payment product id (1 = Visa).</param>
/// <param name="CardNumber">Full card number, or <c>null</c> for a payment without a card (cannot be tokenized).</param>
/// <param name="IsAuthorized">The value of <c>statusOutput.isAuthorized</c>.</param>
/// <param name="ExpiryDate">Card expiry date, MMYY.</param>
/// <param name="MerchantReference">The merchant's reference (<c>paymentOutput.references.merchantReference</c>).</param>
/// <param name="Captures">Captures performed on this payment, oldest first.</param>
public sealed record SimulatedPayment(
    string MerchantId,
    string PaymentId,
    string Status,
    long Amount,
    string Currency,
    int PaymentProductId,
    string? CardNumber,
    bool IsAuthorized,
    string ExpiryDate,
    string MerchantReference,
    IReadOnlyList<SimulatedCapture> Captures)
{
    /// <summary>Sum of all captured amounts.</summary>
    public long AmountCaptured => Captures.Sum(c => c.Amount);
}

/// <summary>One capture the simulator performed.</summary>
/// <param name="CaptureId">The id returned in the CaptureResponse (<c>{paymentId}-capture-{n}</c>).</param>
/// <param name="Amount">Captured amount in cents.</param>
/// <param name="IsFinal">Whether the capture request said it was the last one.</param>
/// <param name="Time">When it was performed (simulator clock).</param>
public sealed record SimulatedCapture(string CaptureId, long Amount, bool IsFinal, DateTimeOffset Time);

/// <summary>A token the simulator holds.</summary>
/// <param name="MerchantId">The merchant the token belongs to.</param>
/// <param name="TokenId">The token id.</param>
/// <param name="PaymentProductId">Payment product of the tokenized card.</param>
/// <param name="CardNumber">Full card number (tokens made by tokenize), or <c>null</c> for seeded tokens.</param>
/// <param name="ExpiryDate">Card expiry date, MMYY, when known.</param>
/// <param name="OriginalPaymentId">The payment the token was created from, when made by tokenize.</param>
/// <param name="Alias">The alias given at tokenize time, if any.</param>
public sealed record SimulatedToken(
    string MerchantId,
    string TokenId,
    int PaymentProductId,
    string? CardNumber,
    string? ExpiryDate,
    string? OriginalPaymentId,
    string? Alias);

/// <summary>One request the simulator received on <c>/v1/…</c>, with what it answered.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path exactly as sent (still percent-encoded).</param>
/// <param name="Query">Query string as sent, without the leading <c>?</c>; empty when none.</param>
/// <param name="Headers">Copy of all request headers (case-insensitive names; repeated headers joined with <c>,</c>).</param>
/// <param name="Body">Request body as UTF-8 text; empty when none.</param>
/// <param name="ResponseStatus">Status answered; 0 when the connection was dropped or the client went away.</param>
/// <param name="Time">When the request arrived (simulator clock).</param>
/// <param name="Authenticated">Whether the v1HMAC signature, key id and Date were accepted.</param>
/// <param name="ApiKeyId">Key id from the Authorization header, when it could be parsed.</param>
/// <param name="AuthenticationFailure">Why authentication failed (never holds a secret or signature), or <c>null</c>.</param>
/// <param name="IdempotenceKey">The <c>X-GCS-Idempotence-Key</c> header, if sent.</param>
/// <param name="IdempotentReplay">Whether the answer was a replay of an earlier response with the same key.</param>
/// <param name="Fault">Description of the injected fault applied to this request, or <c>null</c>.</param>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    int ResponseStatus,
    DateTimeOffset Time,
    bool Authenticated,
    string? ApiKeyId,
    string? AuthenticationFailure,
    string? IdempotenceKey,
    bool IdempotentReplay,
    string? Fault);
