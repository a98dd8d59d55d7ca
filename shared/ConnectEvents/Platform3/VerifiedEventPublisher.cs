using System.Text.Json;
using Azure.Messaging.ServiceBus;
using ConnectEvents.Messaging;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Platform3;

/// <summary>
/// Sends a verified v3 status change to the Service Bus topic, with the envelope every platform's events share
/// (<see cref="ServiceBusTopicPublisher.CreateMessage(ReadOnlyMemory{byte}, TopicEnvelope)"/>) and a CloudEvents source and
/// type that name the platform: <c>urn:platform3:merchant:&lt;id&gt;</c> and <c>com.platform3.payment.&lt;category&gt;</c>. No
/// key id or signature: the body is ours, not the platform's. The MessageId is the change's id, so the topic's duplicate
/// detection drops a redelivered report of the same change.
/// </summary>
/// <param name="sender">The topic's sender (the app's one).</param>
/// <param name="options">The publish budget.</param>
/// <param name="logger">Where sends are logged.</param>
public sealed partial class VerifiedEventPublisher(ServiceBusSender sender, EventsOptions options, ILogger<VerifiedEventPublisher> logger)
{
    /// <summary>The CloudEvents source prefix; the URL-escaped merchant id follows.</summary>
    public const string CloudEventSourcePrefix = "urn:platform3:merchant:";

    /// <summary>The CloudEvents type prefix; the event type (<c>payment.&lt;category&gt;</c>) follows.</summary>
    public const string CloudEventTypePrefix = "com.platform3.";

    /// <summary>The application property naming the platform (<c>v3</c>); Connect events do not carry it.</summary>
    public const string PlatformProperty = "platform";

    /// <summary>The application property with the verified result code.</summary>
    public const string ResultCodeProperty = "resultCode";

    /// <summary>The application property with the result category.</summary>
    public const string ResultCategoryProperty = "resultCategory";

    /// <summary>The message for one verified change.</summary>
    public static ServiceBusMessage CreateMessage(VerifiedPaymentEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var eventType = "payment." + change.Category;
        var body = JsonSerializer.SerializeToUtf8Bytes(change, Platform3Json.Default.VerifiedPaymentEvent);
        var message = ServiceBusTopicPublisher.CreateMessage(body, new TopicEnvelope(change.Id, eventType, change.MerchantId, "v3", "payment",
            change.Reference, change.VerifiedAt, CloudEventSourcePrefix, CloudEventTypePrefix));
        var properties = message.ApplicationProperties;
        properties[PlatformProperty] = "v3";
        properties[ResultCodeProperty] = change.ResultCode;
        properties[ResultCategoryProperty] = change.Category;
        return message;
    }

    /// <summary>Sends the change within <c>Events__PublishTimeout</c>; returns its MessageId.</summary>
    /// <exception cref="EventPublishException">The topic did not take it (the notification is delivered again).</exception>
    public async Task<string> PublishAsync(VerifiedPaymentEvent change, CancellationToken cancellationToken)
    {
        var message = CreateMessage(change);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.PublishTimeout);
        try
        {
            await ServiceBusTopicPublisher.SendTracedAsync(sender, message, budget.Token);
        }
        catch (Exception ex) when (ex is ServiceBusException or UnauthorizedAccessException or Azure.Identity.AuthenticationFailedException
                                   || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new EventPublishException($"Service Bus topic '{sender.EntityPath}' did not accept the v3 event: {ex.GetType().Name}", ex);
        }

        LogSent(logger, message.MessageId, sender.EntityPath);
        return message.MessageId;
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Debug, Message = "v3 event {EventId} sent to Service Bus topic {Topic}")]
    private static partial void LogSent(ILogger logger, string eventId, string topic);
}
