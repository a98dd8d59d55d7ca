using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using ConnectEvents.ConnectApi;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ConnectEvents.Platform3;

/// <summary>The v3 Inquiry API: the authoritative status of a payment, looked up by the merchant's payment reference.</summary>
public interface IInquiryClient
{
    /// <summary>Gets the payment's current result.</summary>
    /// <exception cref="InquiryException">The platform did not give a usable answer; <see cref="Failures.FailureClassifier"/> says whether to retry.</exception>
    Task<InquiryAnswer> GetPaymentAsync(string merchantId, string reference, CancellationToken cancellationToken);
}

/// <summary>The Inquiry API's answer for one payment (the same message a notification carries, but fetched by us).</summary>
/// <param name="HttpStatus">200, or 400 for a payment that failed (the seed: 400 is also a declined payment's answer).</param>
/// <param name="PaymentId">The platform's payment id, when given.</param>
/// <param name="ResultCode">The result code, <c>ddd.ddd.ddd</c> (always well formed here).</param>
/// <param name="ResultDescription">The platform's description of the code.</param>
/// <param name="Amount">The amount as the platform writes it.</param>
/// <param name="Currency">The currency.</param>
public sealed record InquiryAnswer(int HttpStatus, string? PaymentId, string ResultCode, string? ResultDescription, string? Amount, string? Currency);

/// <summary>
/// An inquiry that gave no usable answer: the HTTP status (0 when none came) and why. Whether another try may help is
/// <see cref="Failures.FailureClassifier"/>'s to say, from these facts.
/// </summary>
public sealed class InquiryException : Exception
{
    /// <summary>Creates the exception with no detail.</summary>
    public InquiryException() : base("The inquiry failed.") { }

    /// <summary>Creates the exception with a reason.</summary>
    public InquiryException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public InquiryException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The answer's HTTP status, or 0 when no whole answer came (timeout, connection failure, a body that broke off or stalled).</summary>
    public int StatusCode { get; init; }

    /// <summary>A short safe reason for records: <c>unauthorized</c>, <c>not-found</c>, <c>server-error</c>, …</summary>
    public string Reason { get; init; } = "failed";

    /// <summary>The result code of the error body, when it had a well-formed one.</summary>
    public string? ResultCode { get; init; }
}

/// <summary>
/// <see cref="IInquiryClient"/> over the named HttpClient <c>platform3</c> (base address, Bearer token and resilience set
/// by <see cref="Platform3ServiceCollectionExtensions"/>). <c>GET v3/payments?merchantId=…&amp;reference=…</c>.
/// </summary>
/// <param name="http">The configured client.</param>
public sealed class InquiryClient(HttpClient http) : IInquiryClient
{
    /// <summary>The largest answer read; the Inquiry API's message is small.</summary>
    internal const int MaxAnswerBytes = 256 * 1024;

    /// <inheritdoc />
    public async Task<InquiryAnswer> GetPaymentAsync(string merchantId, string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(merchantId);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var path = $"v3/payments?merchantId={Uri.EscapeDataString(merchantId)}&reference={Uri.EscapeDataString(reference)}";
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex)
        {
            var failure = Failure(ex, cancellationToken);
            if (ReferenceEquals(failure, ex))
            {
                throw;
            }

            throw failure;
        }

        using (response)
        {
            var (answer, failure) = await ReadAsync(response, cancellationToken);
            return answer ?? throw failure!;
        }
    }

    /// <summary>
    /// The failure an inquiry ends in for one attempt's outcome (null for an answer to return): what this client throws,
    /// and what the pipeline's retry judges (<see cref="InCallRetry"/>), so the two cannot disagree.
    /// </summary>
    internal static async ValueTask<Exception?> FailureOf(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, CancellationToken callerToken) =>
        outcome.Exception is { } ex ? Failure(ex, callerToken) : (await ReadAsync(outcome.Result!, callerToken).ConfigureAwait(false)).Failure;

    /// <summary>The answer, or the failure, that <paramref name="response"/> (its body read within the attempt) holds.</summary>
    private static async ValueTask<(InquiryAnswer? Answer, Exception? Failure)> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        InquiryBody? body;
        try
        {
            body = await ParseAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return (null, Failure(ex, cancellationToken));
        }

        var status = (int)response.StatusCode;
        var code = body?.Result?.Code;
        var wellFormed = ResultCodeClassifier.IsWellFormed(code);
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest && wellFormed)
        {
            return (new InquiryAnswer(status, body!.Id, code!, body.Result!.Description, body.Amount, body.Currency), null);
        }

        var reason = response.StatusCode switch
        {
            HttpStatusCode.OK => "unreadable-answer",
            HttpStatusCode.BadRequest => "bad-request",
            HttpStatusCode.Unauthorized => "unauthorized",
            HttpStatusCode.Forbidden => "forbidden",
            HttpStatusCode.NotFound => "not-found",
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => "throttled",
            >= HttpStatusCode.InternalServerError => "server-error",
            _ => "unexpected-status",
        };
        return (null, new InquiryException($"The inquiry was answered {status} ({reason}).")
        {
            StatusCode = status,
            Reason = reason,
            ResultCode = wellFormed ? code : null,
        });
    }

    /// <summary>
    /// What an inquiry that got no whole answer ends in: the caller's own cancellation as it is; a network failure,
    /// timeout, open circuit or an answer that broke off as status 0, no answer; anything else (a bug) as itself.
    /// </summary>
    private static Exception Failure(Exception ex, CancellationToken callerToken) => ex switch
    {
        OperationCanceledException when callerToken.IsCancellationRequested => ex,
        HttpRequestException or TimeoutRejectedException or OperationCanceledException or BrokenCircuitException or IOException =>
            new InquiryException($"The inquiry got no answer ({ex.GetType().Name}).", ex) { Reason = "no-answer" },
        _ => ex,
    };

    private static async Task<InquiryBody?> ParseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxAnswerBytes)
        {
            return null;
        }

        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return bytes.Length is 0 or > MaxAnswerBytes ? null : JsonSerializer.Deserialize(bytes, Platform3Json.Default.InquiryBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Adds <c>Authorization: Bearer</c> from <c>Platform3__AccessToken</c> to every attempt (read live, so a rotated token applies at once).</summary>
/// <param name="options">The platform settings.</param>
public sealed class BearerTokenHandler(IOptionsMonitor<Platform3Options> options) : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.CurrentValue.AccessToken);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>The Inquiry API's message, as much of it as we read (the rest is ignored).</summary>
internal sealed class InquiryBody
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("amount")]
    public string? Amount { get; set; }

    [JsonPropertyName("currency")]
    public string? Currency { get; set; }

    [JsonPropertyName("result")]
    public InquiryResultBody? Result { get; set; }
}

/// <summary>The <c>result</c> object: a code and a description.</summary>
internal sealed class InquiryResultBody
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }
}
