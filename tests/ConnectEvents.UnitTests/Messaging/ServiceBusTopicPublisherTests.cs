using Azure.Identity;
using Azure.Messaging.ServiceBus;
using ConnectEvents.Events;
using ConnectEvents.Messaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectEvents.UnitTests.Messaging;

/// <summary>The topic publisher over a recording <see cref="ServiceBusSender"/>: message shape and failure classification.</summary>
public sealed class ServiceBusTopicPublisherTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Created = new(2024, 5, 6, 7, 8, 9, 120, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset Received = new(2024, 5, 6, 5, 8, 10, TimeSpan.Zero);

    private readonly RecordingServiceBusSender _sender = new("events-topic");

    public ValueTask DisposeAsync() => _sender.DisposeAsync();

    [Fact]
    public async Task MessageCarriesTheExactBodyIdsFilterPropertiesCloudEventsAndTheSignature()
    {
        var message = Event(SampleEvents.Build("refund.refund_requested", "5678", "ref-1", "evt-1", Created), "refund", "ref-1", Created);

        await Publisher().PublishAsync(message, CancellationToken.None);

        var sent = Assert.Single(_sender.Sent);
        Assert.Equal(message.Body.ToArray(), sent.Body.ToArray());
        Assert.Equal("evt-1", sent.MessageId);
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal("refund.refund_requested", sent.Subject);
        Assert.Equal(new Dictionary<string, object>
        {
            ["eventId"] = "evt-1",
            ["eventType"] = "refund.refund_requested",
            ["merchantId"] = "5678",
            ["apiVersion"] = "v1",
            ["resourceType"] = "refund",
            ["resourceId"] = "ref-1",
            ["refundId"] = "ref-1",
            ["keyId"] = "key-1",
            ["X-GCS-Signature"] = "c2lnbmF0dXJl",
            ["X-GCS-KeyId"] = "key-1",
            ["cloudEvents:specversion"] = "1.0",
            ["cloudEvents:id"] = "evt-1",
            ["cloudEvents:source"] = "urn:worldline:connect:merchant:5678",
            ["cloudEvents:type"] = "com.worldline.connect.refund.refund_requested",
            ["cloudEvents:time"] = "2024-05-06T05:08:09.12Z",
        }, sent.ApplicationProperties.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary());
    }

    [Fact]
    public void CloudEventTimeIsTheReceivedTimeWhenTheEventHasNoCreated()
    {
        var sent = ServiceBusTopicPublisher.CreateMessage(Event("{}"u8.ToArray(), "payment", "pay-1", created: null));
        Assert.Equal("2024-05-06T05:08:10Z", sent.ApplicationProperties["cloudEvents:time"]);
    }

    [Fact]
    public void EventWithoutACarriedObjectHasNoResourceProperties()
    {
        var sent = ServiceBusTopicPublisher.CreateMessage(Event("{}"u8.ToArray(), null, null, Created));
        Assert.Equal(
            ["X-GCS-KeyId", "X-GCS-Signature", "apiVersion", "cloudEvents:id", "cloudEvents:source", "cloudEvents:specversion",
             "cloudEvents:time", "cloudEvents:type", "eventId", "eventType", "keyId", "merchantId"],
            sent.ApplicationProperties.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MerchantIdIsEscapedIntoTheCloudEventSource()
    {
        var message = Event("{}"u8.ToArray(), "payment", "p", Created);
        var sent = ServiceBusTopicPublisher.CreateMessage(message with { Metadata = message.Metadata with { MerchantId = "a b/c" } });
        Assert.Equal("urn:worldline:connect:merchant:a%20b%2Fc", sent.ApplicationProperties["cloudEvents:source"]);
    }

    [Fact]
    public async Task EventOverTheConfiguredSizeIsTooLargeAndNotSent()
    {
        var publisher = Publisher(new EventsOptions { ServiceBusMaxMessageBytes = 1024 });

        await Assert.ThrowsAsync<EventTooLargeException>(() => publisher.PublishAsync(Event(new byte[1025], "payment", "p", Created), CancellationToken.None));
        Assert.Empty(_sender.Sent);
    }

    [Fact]
    public async Task BrokerRefusingTheSizeIsTooLarge()
    {
        _sender.Fail = new ServiceBusException("too big", ServiceBusFailureReason.MessageSizeExceeded);
        await Assert.ThrowsAsync<EventTooLargeException>(() => Publisher().PublishAsync(Event("{}"u8.ToArray(), "payment", "p", Created), CancellationToken.None));
    }

    [Theory]
    [InlineData(ServiceBusFailureReason.ServiceTimeout, false)]
    [InlineData(ServiceBusFailureReason.ServiceBusy, false)]
    [InlineData(ServiceBusFailureReason.ServiceCommunicationProblem, false)]
    [InlineData(ServiceBusFailureReason.QuotaExceeded, false)]
    [InlineData(ServiceBusFailureReason.MessagingEntityNotFound, true)]
    [InlineData(ServiceBusFailureReason.MessagingEntityDisabled, true)]
    public async Task BrokerFailureIsAPublishFailureNamingTheTopicAndReason(ServiceBusFailureReason reason, bool configuration)
    {
        _sender.Fail = new ServiceBusException("broker said no", reason);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => Publisher().PublishAsync(Event("{}"u8.ToArray(), "payment", "p", Created), CancellationToken.None));

        Assert.Equal(configuration, error.IsConfigurationError);
        Assert.Contains("'events-topic'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Same(_sender.Fail, error.InnerException);
    }

    public static TheoryData<Exception, string> CredentialFailures => new()
    {
        { new UnauthorizedAccessException("Unauthorized access. 'Send' claim(s) are required."), "Azure Service Bus Data Sender" },
        { new AuthenticationFailedException("ManagedIdentityCredential authentication failed"), "ServiceBusConnection__clientId" },
    };

    [Theory]
    [MemberData(nameof(CredentialFailures))]
    public async Task CredentialFailureIsAConfigurationErrorSayingWhatToFix(Exception failure, string advice)
    {
        _sender.Fail = failure;

        var error = await Assert.ThrowsAsync<EventPublishException>(() => Publisher().PublishAsync(Event("{}"u8.ToArray(), "payment", "p", Created), CancellationToken.None));

        Assert.True(error.IsConfigurationError);
        Assert.Contains(advice, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellationIsNotDisguisedAsAPublishFailure()
    {
        _sender.OnSend = ct => Task.Delay(Timeout.Infinite, ct);
        using var cancel = new CancellationTokenSource();
        var publish = Publisher().PublishAsync(Event("{}"u8.ToArray(), "payment", "p", Created), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish);
    }

    private ServiceBusTopicPublisher Publisher(EventsOptions? options = null) =>
        new(_sender, options ?? new EventsOptions(), NullLogger<ServiceBusTopicPublisher>.Instance);

    internal static EventMessage Event(byte[] body, string? resourceType, string? resourceId, DateTimeOffset? created, string eventType = "refund.refund_requested") =>
        new(body, new EventMetadata("evt-1", eventType, "5678", resourceType, resourceId, "v1", "key-1", Received, "c2lnbmF0dXJl", created));
}
