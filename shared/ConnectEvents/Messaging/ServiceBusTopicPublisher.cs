using System.Diagnostics;
using System.Globalization;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using ConnectEvents.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Messaging;

/// <summary>
/// Publishes events to the Service Bus topic for subscribers: the body is the exact raw event, <c>MessageId</c> the Connect
/// event id (the topic's duplicate detection drops redeliveries), <c>Subject</c> the event type, and the envelope facts,
/// the CloudEvents AMQP binding attributes and the original webhook signature go out as application properties.
/// Retries are the <see cref="ServiceBusSender"/>'s own (<see cref="OutboundBudgets.ServiceBus"/>); the
/// overall time budget is enforced by <see cref="FanOutEventPublisher"/>.
/// </summary>
public sealed partial class ServiceBusTopicPublisher : IEventPublisher
{
    /// <summary>The <c>ContentType</c> of every message (and so the CloudEvents <c>datacontenttype</c>).</summary>
    public const string ContentType = "application/json";

    /// <summary>The CloudEvents <c>type</c> prefix: the Connect event type follows, e.g. <c>com.worldline.connect.payment.paid</c>.</summary>
    public const string CloudEventTypePrefix = "com.worldline.connect.";

    /// <summary>The CloudEvents <c>source</c> prefix: the URL-escaped merchant id follows, e.g. <c>urn:worldline:connect:merchant:1234</c>.</summary>
    public const string CloudEventSourcePrefix = "urn:worldline:connect:merchant:";

    private readonly ServiceBusSender _sender;
    private readonly int _maxBytes;
    private readonly ILogger<ServiceBusTopicPublisher> _logger;

    /// <summary>Creates the publisher over the topic's one <paramref name="sender"/> (a singleton; not disposed here).</summary>
    public ServiceBusTopicPublisher(ServiceBusSender sender, EventsOptions options, ILogger<ServiceBusTopicPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sender = sender ?? throw new ArgumentNullException(nameof(sender));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _maxBytes = options.ServiceBusMaxMessageBytes;
    }

    /// <summary>The topic messages are sent to.</summary>
    public string TopicName => _sender.EntityPath;

    /// <inheritdoc />
    /// <exception cref="EventTooLargeException">The event is larger than <c>Events__ServiceBusMaxMessageBytes</c>, or Service Bus said so.</exception>
    /// <exception cref="EventRefusedException">Service Bus refused this message itself as invalid.</exception>
    /// <exception cref="EventPublishException">Service Bus or the credential failed; a redelivery may succeed.</exception>
    public async Task PublishAsync(EventMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Body.Length > _maxBytes)
        {
            throw new EventTooLargeException(
                $"The event is {message.Body.Length} bytes; a Service Bus message here holds at most {_maxBytes} (Events__ServiceBusMaxMessageBytes).");
        }

        try
        {
            await SendTracedAsync(_sender, CreateMessage(message), cancellationToken);
        }
        catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessageSizeExceeded)
        {
            throw new EventTooLargeException($"Service Bus topic '{TopicName}' refused the {message.Body.Length}-byte event as too large.", ex);
        }
        catch (ArgumentException ex)
        {
            // The SDK's answer when the broker rejects this message's content (an AMQP argument error), or when the message
            // cannot be built at all: every redelivery would meet the same refusal.
            throw new EventRefusedException(
                $"Service Bus topic '{TopicName}' refused this message as invalid ({ex.GetType().Name}); a redelivery would be refused the same way.", ex);
        }
        catch (Exception ex) when (Describe(ex) is { } failure)
        {
            throw new EventPublishException(
                $"Service Bus topic '{TopicName}' did not accept the event: {failure.Reason}", ex, failure.IsConfigurationError);
        }

        LogSent(_logger, message.Metadata.EventId, TopicName);
    }

    /// <summary>The message for one event: exact body, ids, filter properties, CloudEvents attributes and the webhook signature.</summary>
    public static ServiceBusMessage CreateMessage(EventMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var meta = message.Metadata;
        var sent = CreateMessage(message.Body, new TopicEnvelope(meta.EventId, meta.EventType, meta.MerchantId, meta.ApiVersion, meta.ResourceType, meta.ResourceId,
            meta.Created ?? meta.ReceivedAt, CloudEventSourcePrefix, CloudEventTypePrefix));
        var properties = sent.ApplicationProperties;
        Add(properties, Properties.KeyId, meta.KeyId);
        Add(properties, Properties.Signature, meta.Signature);
        Add(properties, Properties.SignatureKeyId, meta.KeyId);
        return sent;
    }

    /// <summary>
    /// A topic message with the envelope every platform's events share (MessageId, Subject, filter properties and the
    /// CloudEvents AMQP binding attributes), so one subscription filter language serves them all.
    /// </summary>
    public static ServiceBusMessage CreateMessage(ReadOnlyMemory<byte> body, TopicEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var messageId = ServiceBusMessageIds.For(envelope.EventId);
        var sent = new ServiceBusMessage(BinaryData.FromBytes(body))
        {
            MessageId = messageId,
            ContentType = ContentType,
            Subject = envelope.EventType,
        };
        var properties = sent.ApplicationProperties;
        Add(properties, Properties.EventId, envelope.EventId);
        Add(properties, Properties.EventType, envelope.EventType);
        Add(properties, Properties.MerchantId, envelope.MerchantId);
        Add(properties, Properties.ApiVersion, envelope.ApiVersion);
        Add(properties, Properties.ResourceType, envelope.ResourceType);
        Add(properties, Properties.ResourceId, envelope.ResourceId);
        if (envelope.ResourceType is { Length: > 0 } resource)
        {
            Add(properties, resource + "Id", envelope.ResourceId);
        }

        Add(properties, Properties.CloudEventsSpecVersion, "1.0");
        Add(properties, Properties.CloudEventsId, messageId);
        Add(properties, Properties.CloudEventsSource, envelope.SourcePrefix + Uri.EscapeDataString(envelope.MerchantId));
        Add(properties, Properties.CloudEventsType, envelope.TypePrefix + envelope.EventType);
        Add(properties, Properties.CloudEventsTime, Rfc3339(envelope.Time));
        return sent;
    }

    /// <summary>
    /// Sends <paramref name="message"/> as one <c>send {topic}</c> producer span, the span's W3C context on the message as
    /// <c>traceparent</c> (and <c>tracestate</c>) and as <c>Diagnostic-Id</c>, the property the Service Bus SDK and the
    /// Functions Service Bus trigger read, so a subscriber's spans join the event's trace. Without tracing, the current
    /// span's context (if any) goes instead.
    /// </summary>
    public static async Task SendTracedAsync(ServiceBusSender sender, ServiceBusMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(message);
        using var span = ConnectEventsTracing.Start("send " + sender.EntityPath, ActivityKind.Producer);
        span?.SetTag("messaging.system", ConnectEventsTracing.ServiceBusSystem)
            .SetTag("messaging.operation.type", "send")
            .SetTag("messaging.operation.name", "send")
            .SetTag("messaging.destination.name", sender.EntityPath)
            .SetTag("messaging.message.id", message.MessageId)
            .SetTag("server.address", sender.FullyQualifiedNamespace);
        Stamp(message.ApplicationProperties, span ?? Activity.Current);
        try
        {
            await sender.SendMessageAsync(message, cancellationToken);
        }
        catch (Exception ex)
        {
            ConnectEventsTracing.Fail(span, ex);
            throw;
        }
    }

    /// <summary>Puts <paramref name="activity"/>'s W3C context on a message's properties (nothing without one).</summary>
    internal static void Stamp(IDictionary<string, object> properties, Activity? activity)
    {
        if (activity is not { IdFormat: ActivityIdFormat.W3C, Id: { } id })
        {
            return;
        }

        properties[Properties.TraceParent] = id;
        properties[Properties.DiagnosticId] = id;
        if (activity.TraceStateString is { Length: > 0 } state)
        {
            properties[Properties.TraceState] = state;
        }
    }

    /// <summary>A date-time as RFC 3339 in UTC, fractional seconds only as far as they are not zero.</summary>
    internal static string Rfc3339(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>What went wrong with a send, in a few safe words; null for exceptions that are not the broker's or the credential's.</summary>
    private static (string Reason, bool IsConfigurationError)? Describe(Exception ex) => ex switch
    {
        ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound or ServiceBusFailureReason.MessagingEntityDisabled } s =>
            ($"{s.Reason}: check Events__TopicName and the namespace in ServiceBusConnection.", true),
        ServiceBusException s => ($"{s.Reason}{(s.IsTransient ? " (transient)" : "")}.", false),
        UnauthorizedAccessException => (
            "access denied: give the app's identity the 'Azure Service Bus Data Sender' role on the topic or namespace, " +
            "or check that the policy in ServiceBusConnection has Send.", true),
        AuthenticationFailedException a => (
            $"no Microsoft Entra token ({a.GetType().Name}): check the app's managed identity and ServiceBusConnection__clientId.", true),
        ObjectDisposedException => ("the Service Bus client is shut down.", false),
        _ => null,
    };

    private static void Add(IDictionary<string, object> properties, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            properties[name] = value;
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Event {EventId} sent to Service Bus topic {Topic}")]
    private static partial void LogSent(ILogger logger, string eventId, string topic);

    /// <summary>The application property names set on messages, as subscription SQL filters and subscribers see them.</summary>
    public static class Properties
    {
        /// <summary>The Connect event id (equals MessageId).</summary>
        public const string EventId = "eventId";

        /// <summary>The event type, e.g. <c>payment.paid</c> (equals Subject).</summary>
        public const string EventType = "eventType";

        /// <summary>The merchant id.</summary>
        public const string MerchantId = "merchantId";

        /// <summary>The event's apiVersion.</summary>
        public const string ApiVersion = "apiVersion";

        /// <summary>payment, refund, payout, token, dispute or capture; also set as <c>{resourceType}Id</c>, e.g. <c>paymentId</c>.</summary>
        public const string ResourceType = "resourceType";

        /// <summary>The id of that object.</summary>
        public const string ResourceId = "resourceId";

        /// <summary>The webhook key id that signed the event (kept for existing filters; equals <see cref="SignatureKeyId"/>).</summary>
        public const string KeyId = "keyId";

        /// <summary>The original <c>X-GCS-Signature</c>: base64 HMAC-SHA256 of the body under the webhook key.</summary>
        public const string Signature = "X-GCS-Signature";

        /// <summary>The original <c>X-GCS-KeyId</c>: which webhook key signed the body.</summary>
        public const string SignatureKeyId = "X-GCS-KeyId";

        /// <summary>CloudEvents AMQP binding: the spec version, <c>1.0</c>.</summary>
        public const string CloudEventsSpecVersion = "cloudEvents:specversion";

        /// <summary>CloudEvents AMQP binding: the event id.</summary>
        public const string CloudEventsId = "cloudEvents:id";

        /// <summary>CloudEvents AMQP binding: <see cref="CloudEventSourcePrefix"/> + merchant id.</summary>
        public const string CloudEventsSource = "cloudEvents:source";

        /// <summary>CloudEvents AMQP binding: <see cref="CloudEventTypePrefix"/> + event type.</summary>
        public const string CloudEventsType = "cloudEvents:type";

        /// <summary>The W3C trace context of the publishing span: a subscriber's spans join the event's trace.</summary>
        public const string TraceParent = "traceparent";

        /// <summary>The W3C trace state, when the trace has one.</summary>
        public const string TraceState = "tracestate";

        /// <summary>The same context under the name the Service Bus SDK and the Functions trigger read (a W3C id).</summary>
        public const string DiagnosticId = "Diagnostic-Id";

        /// <summary>CloudEvents AMQP binding: the event's <c>created</c> (received time when absent), RFC 3339 in UTC.</summary>
        public const string CloudEventsTime = "cloudEvents:time";
    }
}
