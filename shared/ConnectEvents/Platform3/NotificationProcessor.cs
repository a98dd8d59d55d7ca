using System.Diagnostics.Metrics;
using System.Text.Json;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Processing;
using ConnectEvents.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Platform3;

/// <summary>What the inquiry established about a notified payment; stored as the record's detail and sent to subscribers.</summary>
/// <param name="MerchantId">The merchant.</param>
/// <param name="Reference">The merchant's payment reference.</param>
/// <param name="PaymentId">The platform's payment id, when the answer gave one.</param>
/// <param name="ResultCode">The verified result code.</param>
/// <param name="Category">Its category as text (<see cref="ResultCodeClassifier.Text"/>).</param>
/// <param name="Description">The platform's description of the code.</param>
/// <param name="HttpStatus">The inquiry's HTTP status (200, or 400 for a failed payment).</param>
/// <param name="HintedCode">The code the notification's body claimed, when it had one (for diagnostics only).</param>
/// <param name="Amount">The amount as the platform writes it.</param>
/// <param name="Currency">The currency.</param>
/// <param name="VerifiedAt">When the inquiry answered.</param>
/// <param name="InquiryMs">How long the inquiry took.</param>
public sealed record NotificationOutcome(
    string MerchantId, string Reference, string? PaymentId, string ResultCode, string Category, string? Description, int HttpStatus,
    string? HintedCode, string? Amount, string? Currency, DateTimeOffset VerifiedAt, double InquiryMs);

/// <summary>The detail of a Failed record: the inquiry's status and, when its error body had one, the code and category.</summary>
/// <param name="HttpStatus">The inquiry's HTTP status.</param>
/// <param name="Reason">A short safe reason (<c>not-found</c>, <c>unauthorized</c>, …).</param>
/// <param name="ResultCode">The error body's result code.</param>
/// <param name="Category">Its category, <c>unknown</c> when there was no code.</param>
/// <param name="HintedCode">The code the notification's body claimed.</param>
public sealed record InquiryFailureDetail(int HttpStatus, string Reason, string? ResultCode, string Category, string? HintedCode);

/// <summary>
/// Acts on one notification: asks the Inquiry API for the payment and classifies its result code. Knows nothing of
/// claims or queues; throws <see cref="InquiryException"/> when the inquiry gave no usable answer.
/// </summary>
/// <param name="inquiry">The Inquiry API.</param>
/// <param name="classifier">The result-code table.</param>
/// <param name="time">The clock.</param>
public sealed class NotificationHandler(IInquiryClient inquiry, ResultCodeClassifier classifier, TimeProvider time)
{
    /// <summary>Runs the inquiry for the notified payment; the notification's own body is never trusted.</summary>
    /// <exception cref="InquiryException">No usable answer; <see cref="InquiryException.IsTransient"/> says whether to retry.</exception>
    public async Task<NotificationOutcome> HandleAsync(NotificationMessage message, string? hintedCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var started = time.GetTimestamp();
        var answer = await inquiry.GetPaymentAsync(message.MerchantId, message.Reference, cancellationToken);
        var category = classifier.Classify(answer.ResultCode);
        return new NotificationOutcome(message.MerchantId, message.Reference, answer.PaymentId, answer.ResultCode,
            ResultCodeClassifier.Text(category), answer.ResultDescription, answer.HttpStatus, hintedCode, answer.Amount, answer.Currency,
            time.GetUtcNow(), time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The category text of an error body's code, <c>unknown</c> when it had none.</summary>
    public string CategoryOf(string? code) =>
        ResultCodeClassifier.Text(classifier.TryClassify(code, out var category) ? category : ResultCategory.Unknown);
}

/// <summary>The notification must be delivered again (transient inquiry or storage trouble, or held by another delivery).</summary>
public sealed class NotificationDeliveryFailedException : Exception
{
    /// <summary>Creates the exception with no detail.</summary>
    public NotificationDeliveryFailedException() : base("The notification delivery failed; it will be delivered again.") { }

    /// <summary>Creates the exception with a summary.</summary>
    public NotificationDeliveryFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a summary and cause.</summary>
    public NotificationDeliveryFailedException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The exactly-once glue around <see cref="NotificationHandler"/>: claim in the processed-event store, run the handler,
/// publish the verified event, then complete; fail for good on a permanent inquiry answer (401, 403, 404, 400 without a
/// code); release and throw on a transient one so the queue trigger delivers again (the last delivery marks the record
/// dead-lettered instead, and the message goes to the poison queue).
/// <para>
/// "The same notification" is the same merchant, payment reference and announced result code (the code in the body's
/// <c>result.code</c>, <c>none</c> when it has none): the platform notifies once per status change, and a status change
/// is a new code. So the claim key is <c>v3:&lt;merchant&gt;:&lt;reference&gt;:&lt;announced code&gt;</c>; Connect event
/// ids never start with <c>v3:</c>, so the two platforms share the store without colliding. Repeats of a notification
/// cost no inquiry; a new code is a new inquiry. The record itself holds the verified code, which may differ.
/// </para>
/// </summary>
public sealed partial class NotificationProcessor(
    IProcessedEventStore store,
    NotificationHandler handler,
    VerifiedEventPublisher? publisher,
    IOptions<ProcessingOptions> processing,
    ILogger<NotificationProcessor> logger,
    IMeterFactory meters)
{
    private readonly Counter<long> _processed = meters.Create("ConnectEvents.Platform3")
        .CreateCounter<long>("connect_events.platform3.processed", description: "v3 notifications processed, by outcome, result code and category");

    /// <summary>The prefix of every v3 claim key.</summary>
    public const string ClaimPrefix = "v3:";

    /// <summary>The event type stored on the claim.</summary>
    public const string EventType = "v3.notification";

    /// <summary>The claim key of a notification (see the type's remarks).</summary>
    public static string ClaimKey(string merchantId, string reference, string? announcedCode) =>
        $"{ClaimPrefix}{merchantId}:{reference}:{(ResultCodeClassifier.IsWellFormed(announcedCode) ? announcedCode : "none")}";

    /// <summary>The well-formed <c>result.code</c> of a notification body (base64), or null: a hint, never trusted.</summary>
    public static string? AnnouncedCode(string? hint)
    {
        if (hint is null)
        {
            return null;
        }

        try
        {
            var body = JsonSerializer.Deserialize(Convert.FromBase64String(hint), Platform3Json.Default.InquiryBody);
            return ResultCodeClassifier.IsWellFormed(body?.Result?.Code) ? body!.Result!.Code : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Processes one queue delivery. Returns when done with; throws when the trigger must deliver it again.</summary>
    /// <exception cref="NotificationDeliveryFailedException">Transient trouble or the notification is held elsewhere.</exception>
    /// <exception cref="StoreUnavailableException">The processed-event store could not be reached.</exception>
    public async Task<string> ProcessAsync(ReadOnlyMemory<byte> body, long dequeueCount, string? messageId, CancellationToken cancellationToken)
    {
        NotificationMessage message;
        try
        {
            message = JsonSerializer.Deserialize(body.Span, Platform3Json.Default.NotificationMessage)
                ?? throw new JsonException("null message");
        }
        catch (JsonException ex)
        {
            // Only the ingress writes this queue; a message it did not write goes to the poison queue, kept for an operator.
            throw new NotificationDeliveryFailedException($"message {messageId} is not a v3 notification", ex);
        }

        var announced = AnnouncedCode(message.Hint);
        var key = ClaimKey(message.MerchantId, message.Reference, announced);
        var limits = processing.Value;
        var claim = await store.ClaimAsync(key, messageId ?? Guid.NewGuid().ToString("N"), limits.LeaseDuration,
            new EventClaimInfo(EventType, message.MerchantId, message.Reference), cancellationToken);
        switch (claim.Status)
        {
            case ClaimStatus.AlreadyCompleted or ClaimStatus.AlreadyFailed:
                LogDuplicate(logger, key, claim.Status);
                return "duplicate";
            case ClaimStatus.InProgressElsewhere:
                throw new NotificationDeliveryFailedException($"notification {key} is being processed by another delivery");
        }

        var record = claim.Record!;
        try
        {
            var outcome = await handler.HandleAsync(message, announced, cancellationToken);
            if (publisher is not null)
            {
                await publisher.PublishAsync(message, outcome, cancellationToken);
            }

            await store.CompleteAsync(record, $"{outcome.Category} {outcome.ResultCode}",
                JsonSerializer.Serialize(outcome, Platform3Json.Default.NotificationOutcome), cancellationToken);
            LogCompleted(logger, key, outcome.ResultCode, outcome.Category, outcome.InquiryMs);
            Count("completed", outcome.ResultCode, outcome.Category);
            return outcome.Category;
        }
        catch (InquiryException ex) when (!ex.IsTransient)
        {
            var detail = new InquiryFailureDetail(ex.StatusCode, ex.Reason, ex.ResultCode, handler.CategoryOf(ex.ResultCode), announced);
            await store.FailAsync(record, $"inquiry-{ex.StatusCode} {ex.Reason}",
                JsonSerializer.Serialize(detail, Platform3Json.Default.InquiryFailureDetail), cancellationToken);
            LogFailed(logger, key, ex.StatusCode, ex.Reason);
            Count("failed", ex.ResultCode, detail.Category);
            return "failed";
        }
        catch (Exception ex) when (ex is InquiryException or EventPublishException)
        {
            var reason = ex.Message;
            if (dequeueCount >= limits.MaxDequeueCount)
            {
                await store.MarkDeadLetteredAsync(key, $"last delivery failed: {reason}", cancellationToken);
            }
            else
            {
                await store.ReleaseAsync(record, reason, cancellationToken);
            }

            LogTransient(logger, key, dequeueCount, reason);
            Count("retried", null, null);
            throw new NotificationDeliveryFailedException($"notification {key}, delivery {dequeueCount}: {reason}", ex);
        }
    }

    private void Count(string outcome, string? resultCode, string? category) => _processed.Add(1,
        new KeyValuePair<string, object?>("outcome", outcome),
        new KeyValuePair<string, object?>("result_code", resultCode ?? "none"),
        new KeyValuePair<string, object?>("category", category ?? "none"));

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "v3 notification {Key} verified by inquiry: {ResultCode} ({Category}); inquiry took {InquiryMs} ms")]
    private static partial void LogCompleted(ILogger logger, string key, string resultCode, string category, double inquiryMs);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "v3 notification {Key} failed for good: inquiry answered {Status} ({Reason})")]
    private static partial void LogFailed(ILogger logger, string key, int status, string reason);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "v3 notification {Key} will be delivered again (delivery {Delivery}): {Reason}")]
    private static partial void LogTransient(ILogger logger, string key, long delivery, string reason);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Information, Message = "v3 notification {Key} skipped: {Status}")]
    private static partial void LogDuplicate(ILogger logger, string key, ClaimStatus status);
}
