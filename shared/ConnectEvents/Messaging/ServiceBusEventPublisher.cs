using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace ConnectEvents.Messaging;

/// <summary>
/// Publishes events to a Service Bus topic over the REST "send message" API: the body is the exact raw event,
/// <c>MessageId</c> is the Connect event id (the topic's duplicate detection drops redeliveries), <c>Label</c> (Subject) the
/// event type, and the envelope facts go out as application properties for subscription filters. Retries and the
/// time budget live in the named HttpClient's resilience pipeline (see <see cref="ServiceBusServiceCollectionExtensions"/>).
/// </summary>
public sealed partial class ServiceBusEventPublisher : IEventPublisher, IScheduledEventPublisher
{
    /// <summary>The name of the HttpClient (from IHttpClientFactory) that carries auth, retries and the budget.</summary>
    public const string HttpClientName = "ConnectEvents.ServiceBus";

    /// <summary>The application property names set on every message, as subscription SQL filters see them.</summary>
    public static class Properties
    {
        /// <summary>The Connect event id (equals MessageId on first publication).</summary>
        public const string EventId = "eventId";

        /// <summary>The event type, e.g. <c>payment.paid</c>.</summary>
        public const string EventType = "eventType";

        /// <summary>The merchant id.</summary>
        public const string MerchantId = "merchantId";

        /// <summary>payment, refund, payout, token, dispute or capture.</summary>
        public const string ResourceType = "resourceType";

        /// <summary>The id of that object.</summary>
        public const string ResourceId = "resourceId";

        /// <summary>The event's apiVersion.</summary>
        public const string ApiVersion = "apiVersion";

        /// <summary>The webhook key id that signed the event.</summary>
        public const string KeyId = "keyId";
    }

    private readonly IHttpClientFactory _clients;
    private readonly Uri _messagesUri;
    private readonly int _maxBytes;
    private readonly TimeSpan _budget;
    private readonly ILogger<ServiceBusEventPublisher> _logger;

    /// <summary>Creates the publisher for <paramref name="topicName"/> at <paramref name="endpoint"/> (the namespace's REST base address).</summary>
    public ServiceBusEventPublisher(IHttpClientFactory clients, Uri endpoint, string topicName, EventsOptions options, ILogger<ServiceBusEventPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        var root = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _messagesUri = new Uri(root, Uri.EscapeDataString(topicName) + "/messages");
        TopicName = topicName;
        _maxBytes = options.ServiceBusMaxMessageBytes;
        _budget = options.PublishTimeout;
    }

    /// <summary>The topic messages are sent to.</summary>
    public string TopicName { get; }

    /// <summary>The REST address messages are POSTed to.</summary>
    public Uri MessagesUri => _messagesUri;

    /// <inheritdoc />
    public Task PublishAsync(EventMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync(message, message.Metadata.EventId, null, cancellationToken);
    }

    /// <inheritdoc />
    public Task ScheduleAsync(EventMessage message, DateTimeOffset enqueueAt, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        return SendAsync(message, messageId, enqueueAt, cancellationToken);
    }

    /// <summary>The <c>BrokerProperties</c> header value: MessageId, Label and, when scheduled, ScheduledEnqueueTimeUtc (RFC 1123).</summary>
    internal static string BrokerProperties(string messageId, string label, DateTimeOffset? enqueueAt)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("MessageId", messageId);
            json.WriteString("Label", label);
            if (enqueueAt is { } at)
            {
                json.WriteString("ScheduledEnqueueTimeUtc", at.UtcDateTime.ToString("R", CultureInfo.InvariantCulture));
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// A string application property as the REST API wants it: in double quotes (unquoted values are read as numbers,
    /// booleans or dates). Quotes and backslashes are escaped, anything outside printable ASCII as <c>\uXXXX</c>.
    /// </summary>
    internal static string QuotedProperty(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"' or '\\':
                    text.Append('\\').Append(c);
                    break;
                case < ' ' or > '~':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.Append('"').ToString();
    }

    private async Task SendAsync(EventMessage message, string messageId, DateTimeOffset? enqueueAt, CancellationToken cancellationToken)
    {
        if (message.Body.Length > _maxBytes)
        {
            throw new EventTooLargeException($"The event is {message.Body.Length} bytes; a Service Bus message here holds at most {_maxBytes}.");
        }

        var meta = message.Metadata;
        using var request = new HttpRequestMessage(HttpMethod.Post, _messagesUri) { Content = new ReadOnlyMemoryContent(message.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var headers = request.Headers;
        headers.TryAddWithoutValidation("BrokerProperties", BrokerProperties(messageId, meta.EventType, enqueueAt));
        AddProperty(headers, Properties.EventId, meta.EventId);
        AddProperty(headers, Properties.EventType, meta.EventType);
        AddProperty(headers, Properties.MerchantId, meta.MerchantId);
        AddProperty(headers, Properties.ResourceType, meta.ResourceType);
        AddProperty(headers, Properties.ResourceId, meta.ResourceId);
        AddProperty(headers, Properties.ApiVersion, meta.ApiVersion);
        AddProperty(headers, Properties.KeyId, meta.KeyId);

        HttpResponseMessage response;
        try
        {
            response = await _clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new EventPublishException($"Service Bus topic '{TopicName}' did not accept the event within {_budget.TotalSeconds:0.#} s (retries included).", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new EventPublishException($"Service Bus topic '{TopicName}' could not be reached: {ex.HttpRequestError}.", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EventPublishException($"Service Bus topic '{TopicName}' did not answer in time.", ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                LogSent(_logger, meta.EventId, TopicName, (int)response.StatusCode);
                return;
            }

            var status = (int)response.StatusCode;
            var detail = await ReadDetailAsync(response, cancellationToken);
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new EventPublishException(
                    $"Service Bus refused the credentials ({status}) for topic '{TopicName}': give the app's identity the " +
                    "'Azure Service Bus Data Sender' role on the namespace, or check the SAS policy in ServiceBusConnection (it needs Send).",
                    null, isConfigurationError: true),
                HttpStatusCode.NotFound => new EventPublishException(
                    $"Service Bus has no topic '{TopicName}' ({status}): check Events__TopicName and the namespace in ServiceBusConnection.{detail}",
                    null, isConfigurationError: true),
                HttpStatusCode.RequestEntityTooLarge => new EventTooLargeException(
                    $"Service Bus rejected the {message.Body.Length}-byte event as too large ({status}).{detail}"),
                _ => new EventPublishException($"Service Bus topic '{TopicName}' answered {status} {response.ReasonPhrase}.{detail}"),
            };
        }
    }

    private static void AddProperty(HttpRequestHeaders headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers.TryAddWithoutValidation(name, QuotedProperty(value));
        }
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Service Bus explains errors in a small XML body (<Error><Code/><Detail/></Error>); it never echoes credentials.
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            text = text.ReplaceLineEndings(" ").Trim();
            return text.Length == 0 ? "" : " Detail: " + (text.Length > 300 ? text[..300] + "…" : text);
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Event {EventId} sent to Service Bus topic {Topic} ({Status})")]
    private static partial void LogSent(ILogger logger, string eventId, string topic, int status);
}
