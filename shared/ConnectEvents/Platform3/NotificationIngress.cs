using System.Text.Json;
using System.Text.Json.Serialization;
using ConnectEvents.Messaging;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Platform3;

/// <summary>
/// A v3 notification waiting on the queue: who it is about (from the verified URL, never from the body) and the body
/// itself, kept only as a diagnostic hint (base64) since the seed gives notifications no signature of their own.
/// </summary>
/// <param name="MerchantId">The merchant the URL was minted for.</param>
/// <param name="Reference">The merchant's payment reference.</param>
/// <param name="KeyId">The key that minted the URL.</param>
/// <param name="ReceivedAt">When the notification arrived.</param>
/// <param name="Hint">The body as received, base64; null when empty.</param>
public sealed record NotificationMessage(string MerchantId, string Reference, string KeyId, DateTimeOffset ReceivedAt, string? Hint);

/// <summary>
/// The host-neutral notification endpoint: verify the URL's token (before the body is read), then enqueue durably. An
/// answer of <see cref="IngressStatus.Accepted"/> means the notification is on the queue.
/// </summary>
/// <param name="verifier">Checks the URL.</param>
/// <param name="queue">The notifications queue (create-once and failure mapping of the webhook's queue publisher).</param>
/// <param name="time">The clock.</param>
/// <param name="logger">Where acceptances and failures go.</param>
public sealed partial class NotificationIngress(
    NotificationUrlVerifier verifier, StorageQueueEventPublisher queue, TimeProvider time, ILogger<NotificationIngress> logger)
{
    /// <summary>Checks the URL's query parameters; <see cref="IngressStatus.Unavailable"/> when the key store cannot be asked.</summary>
    public async Task<(IngressStatus Status, NotificationUrlVerification? Verification)> VerifyAsync(
        StringValues merchantId, StringValues reference, StringValues keyId, StringValues signature, CancellationToken cancellationToken)
    {
        NotificationUrlVerification verification;
        try
        {
            verification = await verifier.VerifyAsync(merchantId, reference, keyId, signature, cancellationToken);
        }
        catch (SecretKeyStoreUnavailableException ex)
        {
            LogKeyStoreUnavailable(logger, ex.Message);
            return (IngressStatus.Unavailable, null);
        }

        if (!verification.IsValid)
        {
            LogRejected(logger, verification.Failure);
            return (IngressStatus.Unauthorized, verification);
        }

        return (IngressStatus.Accepted, verification);
    }

    /// <summary>Enqueues a verified notification with its body as hint; answers only after the queue has it.</summary>
    public async Task<IngressResult> EnqueueAsync(NotificationUrlVerification verified, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verified);
        if (!verified.IsValid)
        {
            throw new ArgumentException("Only a verified notification is enqueued.", nameof(verified));
        }

        var receivedAt = time.GetUtcNow();
        var message = new NotificationMessage(verified.MerchantId!, verified.Reference!, verified.KeyId!, receivedAt,
            body.IsEmpty ? null : Convert.ToBase64String(body.Span));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, Platform3Json.Default.NotificationMessage);
        var id = NotificationProcessor.ClaimPrefix + verified.MerchantId + ":" + verified.Reference;
        try
        {
            await queue.PublishAsync(new EventMessage(bytes,
                new EventMetadata(id, "v3.notification", verified.MerchantId!, "payment", verified.Reference, "v3", verified.KeyId!, receivedAt)), cancellationToken);
        }
        catch (Exception ex) when (ex is EventPublishException or EventTooLargeException)
        {
            LogEnqueueFailed(logger, verified.MerchantId!, ex.Message);
            return new IngressResult(IngressStatus.Unavailable, "the notification could not be enqueued");
        }

        LogAccepted(logger, verified.MerchantId!, verified.KeyId!);
        return new IngressResult(IngressStatus.Accepted, null, id);
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "v3 notification for merchant {MerchantId} accepted with key {KeyId}")]
    private static partial void LogAccepted(ILogger logger, string merchantId, string keyId);

    // Debug: anyone can send these; what is logged is only the enum, never the presented parameters.
    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug, Message = "v3 notification rejected with 401: {Failure}")]
    private static partial void LogRejected(ILogger logger, NotificationUrlFailure failure);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "v3 notification for merchant {MerchantId} not enqueued, answering 503: {Error}")]
    private static partial void LogEnqueueFailed(ILogger logger, string merchantId, string error);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "v3 notification answered 503: {Error}")]
    private static partial void LogKeyStoreUnavailable(ILogger logger, string error);
}

/// <summary>Source-generated JSON for the v3 platform's messages.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NotificationMessage))]
[JsonSerializable(typeof(InquiryBody))]
[JsonSerializable(typeof(NotificationOutcome))]
[JsonSerializable(typeof(VerifiedPaymentEvent))]
[JsonSerializable(typeof(InquiryFailureDetail))]
internal sealed partial class Platform3Json : JsonSerializerContext;
