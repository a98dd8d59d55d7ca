using Azure.Storage.Blobs;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Messaging.ServiceBus;
using ConnectEvents.Messaging;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;
using ConnectEvents.UnitTests.Messaging;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.IntegrationTests.Messaging;

/// <summary>
/// The function app with a Service Bus connection configured: every signed event goes to the Azurite queue and, at the
/// same time, to the topic, here a recording <see cref="ServiceBusSender"/> registered in place of the real one (no
/// Service Bus emulator runs here; the SDK's own client is covered by the unit tests).
/// </summary>
public sealed class ServiceBusWebhookTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncDisposable
{
    private readonly RecordingServiceBusSender _topic = new();

    public ValueTask DisposeAsync() => _topic.DisposeAsync();

    [Fact]
    public async Task SignedEventIsOnTheQueueAndOnTheTopicWithSubscriberProperties()
    {
        await using var app = App();
        var body = SampleEvents.Build("refund.refund_requested", "5678", "ref-1", "evt-sb-1");

        using var response = await app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(await app.PeekAllAsync()).Body.ToArray());
        var message = Assert.Single(_topic.Sent);
        Assert.Equal(body, message.Body.ToArray());
        Assert.Equal(("evt-sb-1", "refund.refund_requested", "application/json"), (message.MessageId, message.Subject, message.ContentType));
        var properties = message.ApplicationProperties;
        Assert.Equal("5678", properties["merchantId"]);
        Assert.Equal("ref-1", properties["refundId"]);
        Assert.Equal("com.worldline.connect.refund.refund_requested", properties["cloudEvents:type"]);
        Assert.Equal("urn:worldline:connect:merchant:5678", properties["cloudEvents:source"]);
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"), (string)properties["cloudEvents:time"]);
        Assert.Equal(WebhookApp.KeyId, properties["X-GCS-KeyId"]);
        // A subscriber holding the webhook key proves the body is Worldline's, unchanged.
        Assert.Equal(WebhookVerifier.Sign(message.Body.ToArray(), Encoding.UTF8.GetBytes(WebhookApp.Secret)), properties["X-GCS-Signature"]);
    }

    [Fact]
    public async Task TopicFailureAnswers503AndTheRedeliveryOnlyAddsADuplicateTheClaimAbsorbs()
    {
        _topic.Fail = new ServiceBusException("busy", ServiceBusFailureReason.ServiceBusy);
        await using var app = App();
        var body = SampleEvents.Build("payment.paid", "1234", "pay-1", "evt-sb-2");

        using (var response = await app.PostSignedAsync(body))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        // Both publishes ran at once, so the queue already holds a copy; Worldline's redelivery adds a second one,
        // which the processor's claim on the event id turns into a no-op (and the topic's duplicate detection would
        // drop a second topic message with the same MessageId).
        Assert.Equal(body, Assert.Single(await app.PeekAllAsync()).Body.ToArray());
        Assert.Empty(_topic.Sent);
        _topic.Fail = null;
        using (var redelivery = await app.PostSignedAsync(body))
        {
            Assert.Equal(HttpStatusCode.OK, redelivery.StatusCode);
        }

        Assert.Equal(2, (await app.PeekAllAsync()).Length);
        Assert.Equal("evt-sb-2", Assert.Single(_topic.Sent).MessageId);
    }

    [Fact]
    public async Task RefusedTopicCredentialsAnswer503AndLogACriticalConfigurationError()
    {
        _topic.Fail = new UnauthorizedAccessException("Unauthorized access. 'Send' claim(s) are required to perform this operation.");
        await using var app = App();

        using var response = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Level == LogLevel.Critical
            && l.Message.Contains("Azure Service Bus Data Sender", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QueueFailureAnswers503ThoughTheTopicTookTheEvent()
    {
        // The same Azurite for blobs (quarantine), a closed port for queues.
        var deadQueue = Regex.Replace(azurite.ConnectionString, @"QueueEndpoint=http://127\.0\.0\.1:\d+/", $"QueueEndpoint=http://127.0.0.1:{FreePort.Next()}/");
        await using var app = new WebhookApp(deadQueue, Settings(), ReplaceTopic);

        using var response = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-1", "evt-sb-3"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("evt-sb-3", Assert.Single(_topic.Sent).MessageId);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Message.Contains("Storage queue", StringComparison.Ordinal) && l.Message.Contains("evt-sb-3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASignedEventWithA200CharacterIdIsAcceptedWithAShortMessageIdAndTheIdInAProperty()
    {
        await using var app = App();
        var eventId = "evt-long-" + new string('x', 191);
        Assert.Equal(200, eventId.Length);

        using var response = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-long", eventId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = Assert.Single(_topic.Sent);
        Assert.True(message.MessageId.Length <= 128, $"MessageId of {message.MessageId.Length} characters");
        Assert.Equal(eventId, message.ApplicationProperties["eventId"]);
        Assert.Equal(ServiceBusMessageIds.For(eventId), message.MessageId); // the same for every redelivery: duplicate detection holds
    }

    public static TheoryData<Exception, string> MessageRefusals => new()
    {
        // What the SDK throws when the broker rejects this message's content (an AMQP argument error).
        { new ArgumentException("The message is invalid."), "refused this message as invalid" },
        { new ServiceBusException("too big", ServiceBusFailureReason.MessageSizeExceeded), "too large" },
    };

    [Theory]
    [MemberData(nameof(MessageRefusals))]
    public async Task ATopicRefusingThisMessageQuarantinesItInsteadOfFailingEveryRedelivery(Exception refusal, string reason)
    {
        _topic.Fail = refusal;
        await using var app = App();
        var body = SampleEvents.Build("payment.paid", "1234", "pay-refused", "evt-refused-" + Guid.NewGuid().ToString("N"));

        using var response = await app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var container = new BlobContainerClient(azurite.ConnectionString, app.QuarantineContainer);
        var entries = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            entries.Add(blob.Name);
        }

        Assert.Single(entries);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Message.Contains("quarantined", StringComparison.Ordinal) && l.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUnclassifiedTopicFailureAnswers503NamingItNotA500()
    {
        _topic.Fail = new InvalidOperationException("something nobody classified");
        await using var app = App();

        using var response = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-odd", "evt-odd-1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Level == LogLevel.Error
            && l.Message.Contains("InvalidOperationException", StringComparison.Ordinal) && l.Message.Contains("evt-odd-1", StringComparison.Ordinal));
    }

    private WebhookApp App() => new(azurite.ConnectionString, Settings(), ReplaceTopic);

    // A namespace turns topic publishing on; the registered sender means no client for it is ever built.
    private static Dictionary<string, string?> Settings() => new() { ["ServiceBusConnection:fullyQualifiedNamespace"] = "sb-e2e.servicebus.windows.net" };

    private void ReplaceTopic(IServiceCollection services) => services.AddSingleton<ServiceBusSender>(_topic);
}
