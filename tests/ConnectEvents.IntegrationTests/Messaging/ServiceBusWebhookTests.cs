using System.Net;
using System.Text.Json;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;

namespace ConnectEvents.IntegrationTests.Messaging;

/// <summary>The function app configured for Azure (<c>Events__Transport=ServiceBus</c>) against the loopback broker.</summary>
[Collection(AzuriteCollectionDefinition.Name)]
public sealed class ServiceBusWebhookTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LoopbackServiceBus _broker = null!;

    public async Task InitializeAsync() => _broker = await LoopbackServiceBus.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task SignedWebhookBecomesOneServiceBusMessageWithFilterProperties()
    {
        await using var app = App();
        var body = SampleEvents.Build("refund.refund_requested", "5678", "ref-1", "evt-sb-1");

        using var response = await app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = Assert.Single(_broker.Messages);
        Assert.Equal("/connect-events/messages", message.Path);
        Assert.Equal(body, message.Body);
        using var broker = JsonDocument.Parse(message.Header("BrokerProperties")!);
        Assert.Equal("evt-sb-1", broker.RootElement.GetProperty("MessageId").GetString());
        Assert.Equal("refund.refund_requested", broker.RootElement.GetProperty("Label").GetString());
        Assert.Equal("\"refund.refund_requested\"", message.Header("eventType"));
        Assert.Equal("\"5678\"", message.Header("merchantId"));
        Assert.Equal("\"refund\"", message.Header("resourceType"));
        Assert.Equal("\"ref-1\"", message.Header("resourceId"));
        Assert.Equal($"\"{WebhookApp.KeyId}\"", message.Header("keyId"));
        Assert.Empty(await app.PeekAllAsync());
    }

    [Fact]
    public async Task BrokerDownForLongerThanTheBudgetAnswers503WithRetryAfter()
    {
        _broker.DefaultStatus = 503;
        await using var app = App(new() { ["Events:PublishTimeout"] = "00:00:01" });

        using var response = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.True(_broker.Requests.Count > 1);
        Assert.Empty(_broker.Messages);
    }

    [Fact]
    public async Task RefusedCredentialsAnswer503AndLogACriticalConfigurationError()
    {
        _broker.Then(401);
        await using var app = App();

        using var response = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Level == Microsoft.Extensions.Logging.LogLevel.Critical
            && l.Message.Contains("Azure Service Bus Data Sender", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppStartedForServiceBusWithoutAConnectionStopsNamingTheSetting()
    {
        var settings = FunctionAppProcess.BaseSettings(azurite.ConnectionString, "k", "s");
        settings["Events__Transport"] = "ServiceBus";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionAppProcess.StartAsync(settings));

        Assert.Contains("ServiceBusConnection__fullyQualifiedNamespace", error.Message, StringComparison.Ordinal);
    }

    private WebhookApp App(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Events:Transport"] = "ServiceBus",
            ["Events:ServiceBusEndpoint"] = _broker.Endpoint.ToString(),
            ["ServiceBusConnection"] = "Endpoint=sb://sb-e2e.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=ZTJlLWtleQ==",
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return new WebhookApp(azurite.ConnectionString, settings);
    }
}
