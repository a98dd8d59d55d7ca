using System.Text.Json;
using Azure.Messaging.ServiceBus;
using ConnectEvents.Messaging;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Platform3;

/// <summary>The normalized event subscribers receive for a verified v3 payment result.</summary>
/// <param name="Id">The event id (also MessageId): <c>v3:&lt;merchant&gt;:&lt;reference&gt;:&lt;verified code&gt;</c>.</param>
/// <param name="Platform">Always <c>v3</c>.</param>
/// <param name="MerchantId">The merchant.</param>
/// <param name="Reference">The merchant's payment reference.</param>
/// <param name="PaymentId">The platform's payment id.</param>
/// <param name="ResultCode">The verified result code.</param>
/// <param name="Category">Its category.</param>
/// <param name="Description">The platform's description.</param>
/// <param name="Amount">The amount.</param>
/// <param name="Currency">The currency.</param>
/// <param name="NotifiedAt">When the notification arrived.</param>
/// <param name="VerifiedAt">When the inquiry answered.</param>
public sealed record VerifiedPaymentEvent(
    string Id, string Platform, string MerchantId, string Reference, string? PaymentId, string ResultCode, string Category,
    string? Description, string? Amount, string? Currency, DateTimeOffset NotifiedAt, DateTimeOffset VerifiedAt);

/// <summary>
/// Sends verified v3 results to the Service Bus topic with the envelope properties of Connect events
/// (<see cref="ServiceBusTopicPublisher.CreateMessage"/>), and a CloudEvents source and type that name the platform:
/// <c>urn:platform3:merchant:&lt;id&gt;</c> and <c>com.platform3.payment.&lt;category&gt;</c>. The MessageId is the
/// verified result, so the topic's duplicate detection drops a second report of the same result.
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

    /// <summary>The message for one verified result.</summary>
    public static ServiceBusMessage CreateMessage(NotificationMessage notification, NotificationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(outcome);
        var id = NotificationProcessor.ClaimKey(outcome.MerchantId, outcome.Reference, outcome.ResultCode);
        var eventType = "payment." + outcome.Category;
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new VerifiedPaymentEvent(id, "v3", outcome.MerchantId, outcome.Reference, outcome.PaymentId, outcome.ResultCode, outcome.Category,
                outcome.Description, outcome.Amount, outcome.Currency, notification.ReceivedAt, outcome.VerifiedAt),
            Platform3Json.Default.VerifiedPaymentEvent);
        // No key id or signature: the body is ours, not the platform's, and a webhook key id here would mislead.
        var message = ServiceBusTopicPublisher.CreateMessage(new EventMessage(body,
            new EventMetadata(id, eventType, outcome.MerchantId, "payment", outcome.Reference, "v3", "", notification.ReceivedAt, null, outcome.VerifiedAt)));
        var properties = message.ApplicationProperties;
        properties[ServiceBusTopicPublisher.Properties.CloudEventsSource] = CloudEventSourcePrefix + Uri.EscapeDataString(outcome.MerchantId);
        properties[ServiceBusTopicPublisher.Properties.CloudEventsType] = CloudEventTypePrefix + eventType;
        properties[PlatformProperty] = "v3";
        properties[ResultCodeProperty] = outcome.ResultCode;
        properties[ResultCategoryProperty] = outcome.Category;
        return message;
    }

    /// <summary>Sends the event within <c>Events__PublishTimeout</c>.</summary>
    /// <exception cref="EventPublishException">The topic did not take it (the caller delivers the notification again).</exception>
    public async Task PublishAsync(NotificationMessage notification, NotificationOutcome outcome, CancellationToken cancellationToken)
    {
        var message = CreateMessage(notification, outcome);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.PublishTimeout);
        try
        {
            await sender.SendMessageAsync(message, budget.Token);
        }
        catch (Exception ex) when (ex is ServiceBusException or UnauthorizedAccessException or Azure.Identity.AuthenticationFailedException
                                   || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new EventPublishException($"Service Bus topic '{sender.EntityPath}' did not accept the v3 event: {ex.GetType().Name}", ex);
        }

        LogSent(logger, message.MessageId, sender.EntityPath);
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Debug, Message = "v3 event {EventId} sent to Service Bus topic {Topic}")]
    private static partial void LogSent(ILogger logger, string eventId, string topic);
}
