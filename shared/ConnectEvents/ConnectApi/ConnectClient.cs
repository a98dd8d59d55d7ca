using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ConnectEvents.ConnectApi;

/// <summary>The <see cref="IConnectClient"/> over a typed <see cref="HttpClient"/> whose pipeline retries, signs and logs.</summary>
public sealed class ConnectClient : IConnectClient
{
    /// <summary>The header carrying the idempotence key.</summary>
    public const string IdempotenceKeyHeader = "X-GCS-Idempotence-Key";

    /// <summary>The response header that marks a replayed response.</summary>
    public const string IdempotenceTimestampHeader = "X-GCS-Idempotence-Request-Timestamp";

    /// <summary>The optional caller metadata header.</summary>
    public const string ClientMetaInfoHeader = "X-GCS-ClientMetaInfo";

    /// <summary>The largest answer read (Connect's are a few KiB); a longer one fails the attempt as an answer that could not be read.</summary>
    internal const long MaxAnswerBytes = 1024 * 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private readonly HttpClient _http;

    /// <summary>Creates the client over an HttpClient from the factory (base address and handlers configured by registration).</summary>
    public ConnectClient(HttpClient http) => _http = http;

    /// <inheritdoc />
    public Task<PaymentResponse> GetPaymentAsync(string merchantId, string paymentId, CallContext? context = null, CancellationToken cancellationToken = default) =>
        SendAsync<object, PaymentResponse>(HttpMethod.Get, Path(merchantId, "payments", paymentId), null, null, ConnectJsonContext.Default.PaymentResponse, context, cancellationToken)!;

    /// <inheritdoc />
    public Task<CaptureResponse> CapturePaymentAsync(string merchantId, string paymentId, CapturePaymentRequest request, CallContext? context = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path(merchantId, "payments", paymentId, "capture"), request, ConnectJsonContext.Default.CapturePaymentRequest, ConnectJsonContext.Default.CaptureResponse, context, cancellationToken)!;

    /// <inheritdoc />
    public Task<CreateTokenResponse> CreateTokenFromPaymentAsync(string merchantId, string paymentId, TokenizePaymentRequest request, CallContext? context = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path(merchantId, "payments", paymentId, "tokenize"), request, ConnectJsonContext.Default.TokenizePaymentRequest, ConnectJsonContext.Default.CreateTokenResponse, context, cancellationToken)!;

    /// <inheritdoc />
    public Task<SessionResponse> CreateSessionAsync(string merchantId, SessionRequest request, CallContext? context = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path(merchantId, "sessions"), request, ConnectJsonContext.Default.SessionRequest, ConnectJsonContext.Default.SessionResponse, context, cancellationToken)!;

    /// <inheritdoc />
    public Task DeleteTokenAsync(string merchantId, string tokenId, CallContext? context = null, CancellationToken cancellationToken = default) =>
        SendAsync<object, ConnectObject>(HttpMethod.Delete, Path(merchantId, "tokens", tokenId), null, null, null, context, cancellationToken);

    private static string Path(string merchantId, params ReadOnlySpan<string> segments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(merchantId);
        var sb = new StringBuilder("v1/").Append(Uri.EscapeDataString(merchantId));
        foreach (var segment in segments)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(segment);
            sb.Append('/').Append(Uri.EscapeDataString(segment));
        }

        return sb.ToString();
    }

    private async Task<TResponse?> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest? body, JsonTypeInfo<TRequest>? requestType,
        JsonTypeInfo<TResponse>? responseType, CallContext? context, CancellationToken cancellationToken)
        where TResponse : class
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null && requestType is not null)
        {
            // Bytes with a bare application/json: the Content-Type signed is the one on the wire (no charset added).
            var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType));
            content.Headers.ContentType = JsonContentType;
            request.Content = content;
        }

        // CallContext refuses control characters already; checked again here because these headers are added without validation.
        var key = CallContext.RequireHeaderSafe(context?.IdempotenceKey, nameof(CallContext.IdempotenceKey));
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotenceKeyHeader, key);
        }

        if (CallContext.RequireHeaderSafe(context?.ClientMetaInfo, nameof(CallContext.ClientMetaInfo)) is { } meta)
        {
            request.Headers.TryAddWithoutValidation(ClientMetaInfoHeader, Convert.ToBase64String(Encoding.UTF8.GetBytes(meta)));
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex)
        {
            var failure = Failure(ex, request, key, cancellationToken);
            if (ReferenceEquals(failure, ex))
        {
            throw;
        }

            throw failure;
        }

        using (response)
        {
            if (context is not null)
            {
                context.IdempotenceRequestTimestamp = IdempotenceTimestamp(response);
            }

            try
            {
                if (await AnswerFailureAsync(response, key, cancellationToken) is { } failure)
                {
                    throw failure;
                }

                if (responseType is null || response.StatusCode == HttpStatusCode.NoContent)
                {
                    return null;
                }

                // Connect bodies are small: read them whole and parse the bytes synchronously (cheaper than the streaming reader).
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                return JsonSerializer.Deserialize(bytes, responseType)
                    ?? throw new ConnectApiException(ConnectErrorKind.Unknown, (int)response.StatusCode, $"Connect answered {(int)response.StatusCode} to {method} {path} with an empty body.");
            }
            catch (JsonException ex)
            {
                throw new ConnectApiException(ConnectErrorKind.Unknown, (int)response.StatusCode, $"Connect answered {(int)response.StatusCode} to {method} {path} with a body that is not the expected JSON: {ex.Message}", innerException: ex);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The connection broke while the body was read (only without the pipeline's ResponseBufferingHandler, which reads it within the attempt).
                throw ConnectApiException.Communication($"{method} {path}: reading the response failed: {ex.Message}", ex, key);
            }
        }
    }

    /// <summary>
    /// The failure a call ends in for one attempt's outcome (null for an answer to return): what this client throws, and
    /// what the pipeline's retry and circuit breaker judge (<see cref="InCallRetry"/>), so the two cannot disagree.
    /// A success status counts as an answer here; a success body the client then cannot use is a permanent failure.
    /// </summary>
    internal static async ValueTask<Exception?> FailureOf(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, CancellationToken callerToken)
    {
        var key = IdempotenceKey(request);
        if (outcome.Exception is { } ex)
        {
            return Failure(ex, request, key, callerToken);
        }

        try
        {
            return await AnswerFailureAsync(outcome.Result!, key, callerToken).ConfigureAwait(false);
        }
        catch (Exception readFailure) when (readFailure is HttpRequestException or IOException or OperationCanceledException)
        {
            return Failure(readFailure, request, key, callerToken);
        }
    }

    /// <summary>The classified error of an answer that is not a success, from its status and (already read) body; null for a success.</summary>
    private static async ValueTask<ConnectApiException?> AnswerFailureAsync(HttpResponseMessage response, string? key, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return ConnectApiException.FromResponse(response.StatusCode, text, key, IdempotenceTimestamp(response));
    }

    /// <summary>
    /// What a call that got no usable answer ends in: the caller's own cancellation as it is; a network failure, timeout,
    /// open circuit or broken answer as a Communication error; anything else (a bug) as itself.
    /// </summary>
    private static Exception Failure(Exception ex, HttpRequestMessage? request, string? key, CancellationToken callerToken) => ex switch
    {
        OperationCanceledException when callerToken.IsCancellationRequested => ex,
        HttpRequestException or TimeoutRejectedException or OperationCanceledException or BrokenCircuitException or IOException =>
            ConnectApiException.Communication($"{request?.Method} {Target(request)}: {ex.GetType().Name}: {ex.Message}", ex, key),
        _ => ex,
    };

    private static string? Target(HttpRequestMessage? request) =>
        request?.RequestUri is { } uri ? (uri.IsAbsoluteUri ? uri.PathAndQuery.TrimStart('/') : uri.OriginalString) : null;

    private static string? IdempotenceKey(HttpRequestMessage? request) =>
        request is not null && request.Headers.TryGetValues(IdempotenceKeyHeader, out var values) ? values.FirstOrDefault() : null;

    private static long? IdempotenceTimestamp(HttpResponseMessage response) =>
        response.Headers.TryGetValues(IdempotenceTimestampHeader, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ts)
            ? ts
            : null;
}
