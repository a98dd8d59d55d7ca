using System.Diagnostics;
using ConnectEvents.Diagnostics;
using ConnectEvents.Events;
using ConnectEvents.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Webhooks;

/// <summary>
/// The host-neutral webhook pipeline: verify the signature over the raw bytes, read the envelope, then publish the
/// event (or quarantine a signed but unusable one). The answer says what the HTTP layer must reply; an event is
/// only ever answered <see cref="IngressStatus.Accepted"/> or <see cref="IngressStatus.Quarantined"/> once it is durably stored.
/// </summary>
public sealed partial class WebhookIngress(
    WebhookVerifier verifier,
    IEventPublisher publisher,
    IQuarantineStore quarantine,
    TimeProvider time,
    ILogger<WebhookIngress> logger,
    ConnectEventsMetrics metrics)
{
    /// <summary>Handles one POSTed event.</summary>
    /// <param name="body">The raw body, exactly as received.</param>
    /// <param name="headers">All request headers (case-insensitive lookup), used for the signature and quarantine records.</param>
    /// <param name="cancellationToken">Aborts the request.</param>
    public async Task<IngressResult> HandleAsync(
        ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, StringValues> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var receivedAt = time.GetUtcNow();
        var signature = Header(headers, WebhookVerifier.SignatureHeader);
        WebhookVerificationResult verification;
        try
        {
            verification = await ConnectEventsTracing.StepAsync("verify", async span =>
            {
                var verified = await verifier.VerifyAsync(body, signature, Header(headers, WebhookVerifier.KeyIdHeader), cancellationToken);
                span?.SetTag("connect_events.webhook.verified", verified.IsValid);
                return verified;
            });
        }
        catch (SecretKeyStoreUnavailableException ex)
        {
            LogKeyStoreUnavailable(logger, ex.Message);
            metrics.WebhookUnavailable("key-store");
            return new IngressResult(IngressStatus.Unavailable, "secret key store unavailable");
        }

        if (!verification.IsValid)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
#pragma warning disable CA1873 // guarded just above: the escaping runs only when the line is written
                LogRejected(logger, verification.Failure, LogText.Safe(verification.KeyId));
#pragma warning restore CA1873
            }
            metrics.WebhookRejected(verification.Failure);
            return new IngressResult(IngressStatus.Unauthorized, verification.Failure.ToString());
        }

        var keyId = verification.KeyId!;
        var parsed = ConnectEventEnvelope.Parse(body.Span);
        if (!parsed.IsSuccess)
        {
            return await QuarantineAsync(body, headers, keyId, receivedAt, parsed.Error!, false, cancellationToken);
        }

        var envelope = parsed.Envelope!;
        var metadata = new EventMetadata(envelope.Id, envelope.Type, envelope.MerchantId, envelope.ResourceType,
            envelope.ResourceId, envelope.ApiVersion, keyId, receivedAt, signature.ToString(), envelope.Created);
        try
        {
            Activity.Current?.SetTag(ConnectEventsTracing.EventId, envelope.Id).SetTag(ConnectEventsTracing.EventType, envelope.Type);
            await ConnectEventsTracing.StepAsync("publish", () => publisher.PublishAsync(new EventMessage(body, metadata), cancellationToken));
        }
        catch (EventRefusedException ex)
        {
            return await QuarantineAsync(body, headers, keyId, receivedAt, ex.Message, ex is EventTooLargeException, cancellationToken);
        }
        catch (EventPublishException ex)
        {
            if (ex.IsConfigurationError)
            {
                LogPublishConfigurationError(logger, envelope.Id, ex.Message);
            }
            else
            {
                LogPublishFailed(logger, envelope.Id, ex.Message);
            }

            metrics.WebhookUnavailable("publish");
            return new IngressResult(IngressStatus.Unavailable, "the event could not be enqueued");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failure nobody classified yet: a signed event still gets 503 (Worldline redelivers), never a 500 with a
            // stack trace; the log names the exception type so that it can be classified.
            LogPublishUnexpected(logger, envelope.Id, ex.GetType().Name);
            metrics.WebhookUnavailable("publish");
            return new IngressResult(IngressStatus.Unavailable, "the event could not be enqueued");
        }

        LogAccepted(logger, envelope.Id, envelope.Type, envelope.MerchantId, keyId);
        metrics.WebhookAccepted();
        return new IngressResult(IngressStatus.Accepted, null, envelope.Id);
    }

    private async Task<IngressResult> QuarantineAsync(
        ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, StringValues> headers, string keyId, DateTimeOffset receivedAt,
        string reason, bool tooLarge, CancellationToken cancellationToken)
    {
        var entry = new QuarantinedEvent(
            $"{receivedAt.UtcDateTime:HHmmssfff}-{Guid.NewGuid():N}", reason, keyId, receivedAt, SafeHeaders(headers), body.ToArray(),
            (string?)Header(headers, WebhookVerifier.SignatureHeader));
        try
        {
            await ConnectEventsTracing.StepAsync("quarantine", () => quarantine.StoreAsync(entry, cancellationToken));
        }
        catch (EventPublishException ex)
        {
            LogQuarantineFailed(logger, reason, ex.Message);
            metrics.WebhookUnavailable("quarantine");
            return new IngressResult(IngressStatus.Unavailable, "the event could not be quarantined");
        }

        LogQuarantined(logger, reason, keyId, entry.Id);
        metrics.WebhookQuarantined(reason, tooLarge);
        return new IngressResult(IngressStatus.Quarantined, reason, null, entry.Id);
    }

    /// <summary>The request headers that may be stored: everything but credentials and signatures.</summary>
    public static IReadOnlyDictionary<string, string> SafeHeaders(IReadOnlyDictionary<string, StringValues> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var safe = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            if (!SensitiveHeaders.IsSecret(name))
            {
                safe[name] = values.ToString();
            }
        }

        return safe;
    }

    private static StringValues Header(IReadOnlyDictionary<string, StringValues> headers, string name) =>
        headers.TryGetValue(name, out var values) ? values : StringValues.Empty;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Webhook event {EventId} ({EventType}, merchant {MerchantId}) accepted with key {KeyId}")]
    private static partial void LogAccepted(ILogger logger, string eventId, string eventType, string merchantId, string keyId);

    // Debug: anyone can send these, as fast as they like; the rejected counter (by reason) is what operators watch.
    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Webhook rejected with 401: {Failure} (key id {KeyId})")]
    private static partial void LogRejected(ILogger logger, WebhookFailure failure, string keyId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Signed webhook event quarantined: {Reason} (key id {KeyId}, entry {EntryId})")]
    private static partial void LogQuarantined(ILogger logger, string reason, string keyId, string entryId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Webhook event {EventId} not enqueued, answering 503: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string eventId, string error);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Critical, Message = "Webhook event {EventId} not enqueued because of a configuration error, answering 503: {Error}")]
    private static partial void LogPublishConfigurationError(ILogger logger, string eventId, string error);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Signed webhook event could not be quarantined ({Reason}), answering 503: {Error}")]
    private static partial void LogQuarantineFailed(ILogger logger, string reason, string error);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "Webhook event {EventId} not enqueued because of an unexpected {ExceptionType}, answering 503")]
    private static partial void LogPublishUnexpected(ILogger logger, string eventId, string exceptionType);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Webhook answered 503: {Error}")]
    private static partial void LogKeyStoreUnavailable(ILogger logger, string error);
}
