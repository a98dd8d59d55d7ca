using ConnectEvents.ConnectApi;

namespace ConnectEvents.CrashHarness;

/// <summary>
/// The registered <see cref="IConnectClient"/> with crash points: after a GET answered, and after Connect answered a
/// capture but before the processor hears of it (the capture happened; this process will never record it).
/// </summary>
/// <param name="inner">The real client.</param>
/// <param name="crash">Decides whether to die.</param>
internal sealed class CrashingConnectClient(IConnectClient inner, CrashSwitch crash) : IConnectClient
{
    /// <inheritdoc />
    public async Task<PaymentResponse> GetPaymentAsync(string merchantId, string paymentId, CallContext? context = null, CancellationToken cancellationToken = default)
    {
        var payment = await inner.GetPaymentAsync(merchantId, paymentId, context, cancellationToken);
        crash.MaybeKill(CrashPoint.AfterGet);
        return payment;
    }

    /// <inheritdoc />
    public async Task<CaptureResponse> CapturePaymentAsync(string merchantId, string paymentId, CapturePaymentRequest request, CallContext? context = null, CancellationToken cancellationToken = default)
    {
        var capture = await inner.CapturePaymentAsync(merchantId, paymentId, request, context, cancellationToken);
        crash.MaybeKill(CrashPoint.DuringCapture);
        return capture;
    }

    /// <inheritdoc />
    public Task<CreateTokenResponse> CreateTokenFromPaymentAsync(string merchantId, string paymentId, TokenizePaymentRequest request, CallContext? context = null, CancellationToken cancellationToken = default) =>
        inner.CreateTokenFromPaymentAsync(merchantId, paymentId, request, context, cancellationToken);

    /// <inheritdoc />
    public Task<SessionResponse> CreateSessionAsync(string merchantId, SessionRequest request, CallContext? context = null, CancellationToken cancellationToken = default) =>
        inner.CreateSessionAsync(merchantId, request, context, cancellationToken);

    /// <inheritdoc />
    public Task DeleteTokenAsync(string merchantId, string tokenId, CallContext? context = null, CancellationToken cancellationToken = default) =>
        inner.DeleteTokenAsync(merchantId, tokenId, context, cancellationToken);
}
