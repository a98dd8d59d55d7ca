using System.Globalization;
using System.Text.Json;
using ConnectEvents.Processing;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Platform3;

/// <summary>
/// One round of a v3 payment: asks the Inquiry API for the payment's status (the notification is only a hint to look,
/// its body is never trusted) and, when the verified status differs from the one the last round verified, publishes the
/// change once. Runs inside the payment's claim (<see cref="NotificationPipeline"/>), so at most one round per payment
/// is in flight; knows nothing of claims or queues.
/// </summary>
/// <param name="inquiry">The Inquiry API.</param>
/// <param name="classifier">The result-code table.</param>
/// <param name="publisher">The topic's publisher; null when no Service Bus is configured (changes are then recorded only).</param>
/// <param name="time">The clock.</param>
/// <param name="logger">Where each verified status goes.</param>
public sealed partial class NotificationHandler(
    IInquiryClient inquiry, ResultCodeClassifier classifier, VerifiedEventPublisher? publisher, TimeProvider time, ILogger<NotificationHandler> logger)
    : IProcessingHandler<NotificationMessage>
{
    /// <inheritdoc />
    /// <exception cref="InquiryException">No usable answer; <see cref="Failures.FailureClassifier"/> decides whether it comes back.</exception>
    public async Task<string> HandleAsync(NotificationMessage notification, ProcessingDetail detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(detail);
        if (AnnouncedCode(notification.Body.Span) is { } announced)
        {
            detail.Notes.Add($"the notification announced {announced}; not trusted, the inquiry decides");
        }

        var started = time.GetTimestamp();
        InquiryAnswer answer;
        try
        {
            answer = await inquiry.GetPaymentAsync(notification.MerchantId, notification.Reference, cancellationToken);
        }
        catch (InquiryException ex)
        {
            var code = ex.ResultCode is null ? "" : $", code {ex.ResultCode} ({CategoryOf(ex.ResultCode)})";
            detail.Actions.Add(new("inquiry", null, $"{ex.StatusCode.ToString(CultureInfo.InvariantCulture)} {ex.Reason}{code}", false, Elapsed(started)));
            throw;
        }

        var inquiryMs = Elapsed(started);
        var category = ResultCodeClassifier.Text(classifier.Classify(answer.ResultCode));
        var previous = detail.StatusBefore;
        detail.StatusAfter = answer.ResultCode;
        detail.Actions.Add(new("inquiry", answer.PaymentId, $"{answer.ResultCode} {category}", false, inquiryMs));
        string change;
        if (previous == answer.ResultCode)
        {
            change = "unchanged since the last inquiry";
        }
        else if (publisher is null)
        {
            change = "a new status (no topic configured: recorded only)";
        }
        else
        {
            var verified = new VerifiedPaymentEvent(
                VerifiedPaymentEvent.ChangeId(notification.MerchantId, notification.Reference, answer.ResultCode, previous), "v3",
                notification.MerchantId, notification.Reference, answer.PaymentId, answer.ResultCode, category, answer.ResultDescription,
                answer.Amount, answer.Currency, previous, notification.ReceivedAt, time.GetUtcNow());
            var publishStarted = time.GetTimestamp();
            var messageId = await publisher.PublishAsync(verified, cancellationToken);
            detail.Actions.Add(new("publish", messageId, "sent", false, Elapsed(publishStarted)));
            change = "a new status, published";
        }

        var key = NotificationPipeline.ClaimKey(notification.MerchantId, notification.Reference);
        LogVerified(logger, key, answer.ResultCode, category, change, inquiryMs);
        return $"{category} {answer.ResultCode}";
    }

    /// <summary>The category text of a code, <c>unknown</c> when it is not one.</summary>
    private string CategoryOf(string? code) =>
        ResultCodeClassifier.Text(classifier.TryClassify(code, out var category) ? category : ResultCategory.Unknown);

    /// <summary>The well-formed <c>result.code</c> a notification body announces, or null: for diagnostics only.</summary>
    internal static string? AnnouncedCode(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            var code = JsonSerializer.Deserialize(body, Platform3Json.Default.InquiryBody)?.Result?.Code;
            return ResultCodeClassifier.IsWellFormed(code) ? code : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private double Elapsed(long started) => time.GetElapsedTime(started).TotalMilliseconds;

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "v3 payment {Key} verified by inquiry: {ResultCode} ({Category}), {Change}; the inquiry took {InquiryMs:F1} ms")]
    private static partial void LogVerified(ILogger logger, string key, string resultCode, string category, string change, double inquiryMs);
}
