using ConnectEvents.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Platform3;

/// <summary>
/// The host-neutral notification endpoint: verify the URL (before the body is read), then enqueue the notification on
/// <c>Platform3__QueueName</c>, visible after <c>Platform3__NotificationDelay</c> so that a burst of notifications of one
/// payment is looked at by one inquiry.
/// </summary>
/// <param name="verifier">Checks the URL.</param>
/// <param name="queues">The app's queue senders.</param>
/// <param name="options">The queue name and the delay.</param>
/// <param name="time">The clock of <see cref="NotificationMessage.ReceivedAt"/>.</param>
/// <param name="logger">Where acceptances and failures go.</param>
public sealed partial class NotificationIngress(
    NotificationUrlVerifier verifier, QueueSenders queues, IOptionsMonitor<Platform3Options> options, TimeProvider time, ILogger<NotificationIngress> logger)
{
    /// <summary>Checks the URL's query parameters, read through <paramref name="query"/> (a parameter's values by name).</summary>
    public async ValueTask<NotificationUrlVerification> VerifyAsync(Func<string, StringValues> query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var verification = await verifier.VerifyAsync(
            query(NotificationUrls.MerchantParameter), query(NotificationUrls.ReferenceParameter), query(NotificationUrls.ExpiresParameter),
            query(NotificationUrls.KeyIdParameter), query(NotificationUrls.SignatureParameter), cancellationToken);
        if (verification.Failure == NotificationUrlFailure.KeyStoreUnavailable)
        {
            LogKeyStoreUnavailable(logger);
        }
        else if (!verification.IsValid)
        {
            LogRejected(logger, verification.Failure);
        }

        return verification;
    }

    /// <summary>Enqueues a verified notification with its body; true once the queue has it, false when it could not be stored (answer 503).</summary>
    /// <exception cref="ArgumentException"><paramref name="verified"/> is not a valid verification.</exception>
    public async Task<bool> EnqueueAsync(NotificationUrlVerification verified, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verified);
        if (!verified.IsValid)
        {
            throw new ArgumentException("Only a verified notification is enqueued.", nameof(verified));
        }

        var settings = options.CurrentValue;
        var message = new NotificationMessage(verified.MerchantId!, verified.Reference!, verified.KeyId!, time.GetUtcNow()) { Body = body };
        try
        {
            await queues.For(settings.QueueName).SendAsync(message.Encode(), settings.NotificationDelay, cancellationToken);
        }
        catch (Exception ex) when (ex is EventPublishException or EventTooLargeException)
        {
            LogEnqueueFailed(logger, verified.MerchantId!, ex.Message);
            return false;
        }

        LogAccepted(logger, verified.MerchantId!, verified.KeyId!);
        return true;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "v3 notification for merchant {MerchantId} accepted with key {KeyId}")]
    private static partial void LogAccepted(ILogger logger, string merchantId, string keyId);

    // Debug: anyone can send these; what is logged is only the enum, never the presented parameters.
    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug, Message = "v3 notification rejected with 401: {Failure}")]
    private static partial void LogRejected(ILogger logger, NotificationUrlFailure failure);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "v3 notification for merchant {MerchantId} not enqueued, answering 503: {Error}")]
    private static partial void LogEnqueueFailed(ILogger logger, string merchantId, string error);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "v3 notification answered 503: the webhook secret key store is unavailable")]
    private static partial void LogKeyStoreUnavailable(ILogger logger);
}
