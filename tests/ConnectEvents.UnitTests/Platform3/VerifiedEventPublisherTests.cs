using System.Text.Json.Nodes;
using ConnectEvents.Messaging;
using ConnectEvents.Platform3;
using ConnectEvents.UnitTests.Messaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectEvents.UnitTests.Platform3;

/// <summary>The normalized v3 event on the topic: Connect's envelope properties, a source and type naming the platform.</summary>
public sealed class VerifiedEventPublisherTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Received = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Verified = Received.AddSeconds(2);

    private readonly RecordingServiceBusSender _sender = new("events-topic");

    public ValueTask DisposeAsync() => _sender.DisposeAsync();

    [Fact]
    public async Task TheEventCarriesTheEnvelopePropertiesAndASourceNamingThePlatform()
    {
        var change = new VerifiedPaymentEvent(VerifiedPaymentEvent.ChangeId("m-1", "order/7", "800.100.153", null), "v3", "m-1", "order/7", "pay-9",
            "800.100.153", "declined-by-bank", "wrong CVV", "10.00", "EUR", null, Received, Verified);

        await new VerifiedEventPublisher(_sender, new EventsOptions(), NullLogger<VerifiedEventPublisher>.Instance)
            .PublishAsync(change, CancellationToken.None);

        var sent = Assert.Single(_sender.Sent);
        var p = sent.ApplicationProperties;
        Assert.Equal("v3:m-1:order/7:800.100.153", sent.MessageId);
        Assert.Equal("payment.declined-by-bank", sent.Subject);
        Assert.Equal("urn:platform3:merchant:m-1", p[ServiceBusTopicPublisher.Properties.CloudEventsSource]);
        Assert.Equal("com.platform3.payment.declined-by-bank", p[ServiceBusTopicPublisher.Properties.CloudEventsType]);
        Assert.Equal(sent.MessageId, p[ServiceBusTopicPublisher.Properties.CloudEventsId]);
        Assert.Equal("1.0", p[ServiceBusTopicPublisher.Properties.CloudEventsSpecVersion]);
        Assert.Equal("2026-01-02T03:04:07Z", p[ServiceBusTopicPublisher.Properties.CloudEventsTime]);
        Assert.Equal("m-1", p[ServiceBusTopicPublisher.Properties.MerchantId]);
        Assert.Equal("payment", p[ServiceBusTopicPublisher.Properties.ResourceType]);
        Assert.Equal("order/7", p["paymentId"]);
        Assert.Equal("v3", p[ServiceBusTopicPublisher.Properties.ApiVersion]);
        Assert.Equal("v3", p[VerifiedEventPublisher.PlatformProperty]);
        Assert.Equal("800.100.153", p[VerifiedEventPublisher.ResultCodeProperty]);
        Assert.Equal("declined-by-bank", p[VerifiedEventPublisher.ResultCategoryProperty]);
        Assert.False(p.ContainsKey(ServiceBusTopicPublisher.Properties.Signature));
        Assert.False(p.ContainsKey(ServiceBusTopicPublisher.Properties.KeyId));

        var body = JsonNode.Parse(sent.Body.ToString())!;
        Assert.Equal("pay-9", body["paymentId"]!.GetValue<string>());
        Assert.Equal("declined-by-bank", body["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task ATopicThatRefusesTheEventSurfacesAsAPublishFailure()
    {
        _sender.Fail = new Azure.Messaging.ServiceBus.ServiceBusException("busy", Azure.Messaging.ServiceBus.ServiceBusFailureReason.ServiceBusy);
        var publisher = new VerifiedEventPublisher(_sender, new EventsOptions(), NullLogger<VerifiedEventPublisher>.Instance);

        await Assert.ThrowsAsync<EventPublishException>(() => publisher.PublishAsync(
            new VerifiedPaymentEvent("v3:m-1:r:000.000.000", "v3", "m-1", "r", null, "000.000.000", "success", null, null, null, null, Received, Verified),
            CancellationToken.None));
    }

    [Fact]
    public async Task AChangeIsNamedByItsPreviousStatusTooAndALongIdIsHashedIntoTheMessageId()
    {
        var publisher = new VerifiedEventPublisher(_sender, new EventsOptions(), NullLogger<VerifiedEventPublisher>.Instance);
        var reference = new string('r', 200);
        var id = VerifiedPaymentEvent.ChangeId("m-1", reference, "000.000.000", "000.200.000");

        await publisher.PublishAsync(new VerifiedPaymentEvent(id, "v3", "m-1", reference, null, "000.000.000", "success", null, null, null, "000.200.000", Received, Verified), CancellationToken.None);

        var sent = Assert.Single(_sender.Sent);
        Assert.EndsWith(":000.000.000:from:000.200.000", id, StringComparison.Ordinal);
        Assert.Equal(ServiceBusMessageIds.For(id), sent.MessageId);
        Assert.StartsWith("sha256:", sent.MessageId, StringComparison.Ordinal);
        Assert.True(sent.MessageId.Length <= ServiceBusMessageIds.MaxLength);
        Assert.Equal(id, sent.ApplicationProperties[ServiceBusTopicPublisher.Properties.EventId]);
    }
}
