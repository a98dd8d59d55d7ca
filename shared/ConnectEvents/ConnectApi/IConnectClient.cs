namespace ConnectEvents.ConnectApi;

/// <summary>The Connect Server API operations this product uses. Every failure surfaces as a classified <see cref="ConnectApiException"/>.</summary>
public interface IConnectClient
{
    /// <summary>GET a payment: its current, authoritative status.</summary>
    Task<PaymentResponse> GetPaymentAsync(string merchantId, string paymentId, CallContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Captures a payment (all of it when <see cref="CapturePaymentRequest.Amount"/> is null). Give an idempotence key.</summary>
    Task<CaptureResponse> CapturePaymentAsync(string merchantId, string paymentId, CapturePaymentRequest request, CallContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Creates a reusable token from a payment's card. Give an idempotence key.</summary>
    Task<CreateTokenResponse> CreateTokenFromPaymentAsync(string merchantId, string paymentId, TokenizePaymentRequest request, CallContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Creates a Client API session, offering the given stored tokens.</summary>
    Task<SessionResponse> CreateSessionAsync(string merchantId, SessionRequest request, CallContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a stored token.</summary>
    Task DeleteTokenAsync(string merchantId, string tokenId, CallContext? context = null, CancellationToken cancellationToken = default);
}
