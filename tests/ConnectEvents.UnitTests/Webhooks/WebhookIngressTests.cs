using System.Text;
using ConnectEvents.Events;
using ConnectEvents.Messaging;
using ConnectEvents.TestInfrastructure;
using ConnectEvents.UnitTests.Messaging;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.UnitTests.Webhooks;

public sealed class WebhookIngressTests : IDisposable
{
    private const string KeyId = "k1";
    private static readonly byte[] SecretBytes = "s3cr3t-value"u8.ToArray();
    private readonly RecordingPublisher _publisher = new();
    private readonly RecordingQuarantine _quarantine = new();
    private readonly FakeLogger<WebhookIngress> _logger = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly WebhookIngress _ingress;

    public WebhookIngressTests()
    {
        var options = new WebhookOptions();
        options.SecretKeys.Add(new WebhookSecretKey { KeyId = KeyId, Secret = "s3cr3t-value" });
        var verifier = new WebhookVerifier(new ConfigurationSecretKeyStore(new TestOptionsMonitor<WebhookOptions>(options)));
        _ingress = new WebhookIngress(verifier, _publisher, _quarantine, new FakeTimeProvider(), _logger,
            new ConnectEvents.Diagnostics.ConnectEventsMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
    }

    public void Dispose() => _services.Dispose();

    private static Dictionary<string, StringValues> SignedHeaders(byte[] body, string? signature = null) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["x-gcs-signature"] = signature ?? WebhookVerifier.Sign(body, SecretBytes),
        ["X-GCS-KEYID"] = KeyId,
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Basic c2VjcmV0",
    };

    [Fact]
    public async Task SignedEventIsPublishedWithItsExactBytesAndMetadata()
    {
        var body = SampleEvents.Build("payment.pending_capture", "1234", "pay-1", "evt-1");
        var result = await _ingress.HandleAsync(body, SignedHeaders(body), CancellationToken.None);

        Assert.Equal(IngressStatus.Accepted, result.Status);
        var message = Assert.Single(_publisher.Messages);
        Assert.Equal(body, message.Body.ToArray());
        Assert.Equal(("evt-1", "payment.pending_capture", "1234", "payment", "pay-1", "v1", KeyId),
            (message.Metadata.EventId, message.Metadata.EventType, message.Metadata.MerchantId, message.Metadata.ResourceType,
             message.Metadata.ResourceId, message.Metadata.ApiVersion, message.Metadata.KeyId));
    }

    [Fact]
    public async Task SignatureHeaderAndCreatedTimeTravelWithTheEventForTopicSubscribers()
    {
        var created = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.FromHours(2));
        var body = SampleEvents.Build("payment.paid", "1234", "pay-1", "evt-2", created);
        var headers = SignedHeaders(body);

        await _ingress.HandleAsync(body, headers, CancellationToken.None);

        var metadata = Assert.Single(_publisher.Messages).Metadata;
        Assert.Equal(headers["x-gcs-signature"].ToString(), metadata.Signature);
        Assert.Equal(created, metadata.Created);
    }

    [Fact]
    public async Task ApiVersionMismatchAfterAValidSignatureIsQuarantinedNotPublished()
    {
        var body = Encoding.UTF8.GetBytes("{\"apiVersion\":\"v2\",\"id\":\"e\",\"merchantId\":\"m\",\"type\":\"payment.paid\"}");
        var result = await _ingress.HandleAsync(body, SignedHeaders(body), CancellationToken.None);

        Assert.Equal(IngressStatus.Quarantined, result.Status);
        Assert.Empty(_publisher.Messages);
        var entry = Assert.Single(_quarantine.Entries);
        Assert.Contains("apiVersion 'v2'", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(body, entry.Body);
        Assert.Equal(KeyId, entry.KeyId);
    }

    [Fact]
    public async Task QuarantineRecordsKeepNoSignatureOrCredentials()
    {
        var body = "not json"u8.ToArray();
        await _ingress.HandleAsync(body, SignedHeaders(body), CancellationToken.None);

        var headers = Assert.Single(_quarantine.Entries).Headers;
        Assert.DoesNotContain(headers.Keys, k => k.Contains("signature", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(headers.Keys, k => k.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(KeyId, headers["X-GCS-KEYID"]);
    }

    [Fact]
    public async Task BadSignatureIsRejectedBeforeTheBodyIsLookedAt()
    {
        var body = "{\"apiVersion\":\"v2\"}"u8.ToArray();
        var result = await _ingress.HandleAsync(body, SignedHeaders(body, WebhookVerifier.Sign(body, "other"u8)), CancellationToken.None);

        Assert.Equal(IngressStatus.Unauthorized, result.Status);
        Assert.Empty(_quarantine.Entries);
        Assert.Empty(_publisher.Messages);
        var log = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Contains("InvalidSignature", log.Message, StringComparison.Ordinal);
        Assert.Contains(KeyId, log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishFailureIsUnavailableNotAccepted()
    {
        _publisher.Fail = new EventPublishException("storage down");
        var body = SampleEvents.Build("payment.paid", "1234", "pay-1");
        var result = await _ingress.HandleAsync(body, SignedHeaders(body), CancellationToken.None);
        Assert.Equal(IngressStatus.Unavailable, result.Status);
    }

    [Fact]
    public async Task QuarantineFailureIsUnavailableNotAccepted()
    {
        _quarantine.Fail = true;
        var body = "[]"u8.ToArray();
        var result = await _ingress.HandleAsync(body, SignedHeaders(body), CancellationToken.None);
        Assert.Equal(IngressStatus.Unavailable, result.Status);
    }

    [Fact]
    public async Task EventTooLargeForTheTransportIsQuarantinedWhole()
    {
        _publisher.Fail = new EventTooLargeException("too large for the queue");
        var body = SampleEvents.Build("payment.paid", "1234", "pay-1");
        var result = await _ingress.HandleAsync(body, SignedHeaders(body), CancellationToken.None);

        Assert.Equal(IngressStatus.Quarantined, result.Status);
        Assert.Equal(body, Assert.Single(_quarantine.Entries).Body);
    }

    [Fact]
    public async Task OutcomesAreCounted()
    {
        using var accepted = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            ConnectEvents.Diagnostics.ConnectEventsMetrics.MeterName, ConnectEvents.Diagnostics.ConnectEventsMetrics.WebhookRequests);
        var body = "{}"u8.ToArray();
        await _ingress.HandleAsync(body, SignedHeaders(body), CancellationToken.None);
        var quarantined = Assert.Single(accepted.GetMeasurementSnapshot());
        Assert.Equal("quarantined", quarantined.Tags["outcome"]);
        Assert.Equal("bad-body", quarantined.Tags["reason"]);
    }

    private sealed class RecordingQuarantine : IQuarantineStore
    {
        public List<QuarantinedEvent> Entries { get; } = [];

        public bool Fail { get; set; }

        public Task StoreAsync(QuarantinedEvent entry, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new EventPublishException("blob down");
            }

            Entries.Add(entry);
            return Task.CompletedTask;
        }
    }
}
