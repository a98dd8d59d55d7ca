using System.Net;
using System.Text.Json;
using ConnectEvents.ConnectApi;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ConnectEvents.Platform3;

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
