using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using ConnectEvents.Events;
using ConnectEvents.Messaging;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.IntegrationTests.Messaging;

/// <summary>The Service Bus REST publisher, built by the app's own registration, against a loopback broker over real HTTP.</summary>
public sealed class ServiceBusEventPublisherTests : IAsyncLifetime
{
    private const string Namespace = "sb-test.servicebus.windows.net";
    private const string KeyName = "webhook-send";
    private static readonly string Key = Convert.ToBase64String(Encoding.UTF8.GetBytes("not-a-real-service-bus-key-0123456789"));

    private LoopbackServiceBus _broker = null!;
    private readonly List<ServiceProvider> _providers = [];

    public async Task InitializeAsync() => _broker = await LoopbackServiceBus.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task PublishPostsTheRawEventWithBrokerPropertiesAndFilterProperties()
    {
        var publisher = Publisher();
        var message = Message("payment.pending_capture", "evt-1", "pay-\"1\"");

        await publisher.PublishAsync(message, CancellationToken.None);

        var request = Assert.Single(_broker.Requests);
        Assert.Equal("/connect-events/messages", request.Path);
        Assert.Equal(message.Body.ToArray(), request.Body);
        Assert.Equal("application/json", request.Header("Content-Type"));
        using var broker = JsonDocument.Parse(request.Header("BrokerProperties")!);
        Assert.Equal("evt-1", broker.RootElement.GetProperty("MessageId").GetString());
        Assert.Equal("payment.pending_capture", broker.RootElement.GetProperty("Label").GetString());
        Assert.False(broker.RootElement.TryGetProperty("ScheduledEnqueueTimeUtc", out _));
        Assert.Equal("\"payment.pending_capture\"", request.Header("eventType"));
        Assert.Equal("\"evt-1\"", request.Header("eventId"));
        Assert.Equal("\"1234\"", request.Header("merchantId"));
        Assert.Equal("\"payment\"", request.Header("resourceType"));
        Assert.Equal("\"pay-\\\"1\\\"\"", request.Header("resourceId"));
        Assert.Equal("\"v1\"", request.Header("apiVersion"));
        Assert.Equal("\"key-1\"", request.Header("keyId"));
        Assert.Single(_broker.Messages);
    }

    [Fact]
    public async Task SasTokenFromTheConnectionStringCarriesAValidSignatureForTheTopic()
    {
        await Publisher().PublishAsync(Message(), CancellationToken.None);

        var authorization = Assert.Single(_broker.Requests).Header("Authorization")!;
        Assert.StartsWith("SharedAccessSignature ", authorization, StringComparison.Ordinal);
        var fields = authorization["SharedAccessSignature ".Length..].Split('&')
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.Equal(["se", "sig", "skn", "sr"], fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal($"https://{Namespace}/connect-events", Uri.UnescapeDataString(fields["sr"]));
        Assert.Equal(KeyName, fields["skn"]);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(fields["se"], CultureInfo.InvariantCulture));
        Assert.InRange(expiry, DateTimeOffset.UtcNow.AddMinutes(50), DateTimeOffset.UtcNow.AddMinutes(61));

        // The service's check: HMAC-SHA256 keyed with the policy key over "<sr as sent>\n<se>".
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes(fields["sr"] + "\n" + fields["se"]));
        Assert.Equal(Convert.ToBase64String(expected), Uri.UnescapeDataString(fields["sig"]));
    }

    [Fact]
    public async Task EntraTokenIsSentAsBearerAndFetchedOnceAcrossCalls()
    {
        var credential = new CountingCredential(TimeSpan.FromHours(1));
        var publisher = Publisher(identity: true, tokens: new EntraTokenSource(credential, TimeProvider.System));

        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(Message(eventId: $"evt-{i}"), CancellationToken.None);
        }

        Assert.Equal(1, credential.Calls);
        Assert.Equal([EntraTokenSource.Scope], credential.LastScopes);
        Assert.All(_broker.Requests, r => Assert.Equal("Bearer token-1", r.Header("Authorization")));
    }

    [Fact]
    public async Task EntraTokenIsRefreshedBeforeItExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var credential = new CountingCredential(TimeSpan.FromHours(1), time);
        var publisher = Publisher(identity: true, tokens: new EntraTokenSource(credential, time));

        await publisher.PublishAsync(Message(), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(54));
        await publisher.PublishAsync(Message(), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(2));
        await publisher.PublishAsync(Message(), CancellationToken.None);

        Assert.Equal(["Bearer token-1", "Bearer token-1", "Bearer token-2"], _broker.Requests.Select(r => r.Header("Authorization")));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task RefusedCredentialsAreAConfigurationErrorAndNotRetried(int status)
    {
        _broker.Then(status);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => Publisher().PublishAsync(Message(), CancellationToken.None));

        Assert.True(error.IsConfigurationError);
        Assert.Contains("Azure Service Bus Data Sender", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.Single(_broker.Requests);
        Assert.Empty(_broker.Messages);
    }

    [Fact]
    public async Task ThrottlingAndUnavailabilityAreRetriedUntilOneMessageIsStored()
    {
        _broker.Then(429, retryAfter: "0");
        _broker.Then(503);

        await Publisher().PublishAsync(Message(eventId: "evt-retry"), CancellationToken.None);

        Assert.Equal(3, _broker.Requests.Count); // 429, 503, then 201
        Assert.All(_broker.Requests, r => Assert.StartsWith("SharedAccessSignature ", r.Header("Authorization"), StringComparison.Ordinal));
        var stored = Assert.Single(_broker.Messages);
        Assert.Contains("\"evt-retry\"", stored.Header("BrokerProperties"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokerUnavailableForLongerThanTheBudgetFailsTransiently()
    {
        _broker.DefaultStatus = 503;

        var error = await Assert.ThrowsAsync<EventPublishException>(() =>
            Publisher(extra: new() { ["Events:PublishTimeout"] = "00:00:03", ["Events:PublishAttemptTimeout"] = "00:00:00.500" })
                .PublishAsync(Message(), CancellationToken.None));

        Assert.False(error.IsConfigurationError);
        Assert.True(_broker.Requests.Count > 1, "the publisher retried within its budget");
        Assert.Empty(_broker.Messages);
    }

    [Fact]
    public async Task UnreachableBrokerFailsTransiently()
    {
        var closedPort = Infrastructure.FreePort.Next();
        var error = await Assert.ThrowsAsync<EventPublishException>(() =>
            Publisher(extra: new() { ["Events:ServiceBusEndpoint"] = $"http://127.0.0.1:{closedPort}/", ["Events:PublishTimeout"] = "00:00:01" })
                .PublishAsync(Message(), CancellationToken.None));

        Assert.False(error.IsConfigurationError);
    }

    [Fact]
    public async Task MissingTopicIsAConfigurationErrorNamingTheTopic()
    {
        _broker.Then(404);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => Publisher().PublishAsync(Message(), CancellationToken.None));

        Assert.True(error.IsConfigurationError);
        Assert.Contains("'connect-events'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherClientErrorsFailWithoutRetryAndCarryTheBrokerDetail()
    {
        _broker.Then(400);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => Publisher().PublishAsync(Message(), CancellationToken.None));

        Assert.False(error.IsConfigurationError);
        Assert.Contains("400", error.Message, StringComparison.Ordinal);
        Assert.Contains("scripted answer", error.Message, StringComparison.Ordinal);
        Assert.Single(_broker.Requests);
    }

    [Fact]
    public async Task EventsTooLargeForAMessageAreRefusedBeforeSendingOrWhenTheBrokerSaysSo()
    {
        var publisher = Publisher(extra: new() { ["Events:ServiceBusMaxMessageBytes"] = "2048" });
        await Assert.ThrowsAsync<EventTooLargeException>(() => publisher.PublishAsync(
            new EventMessage(new byte[4096], Message().Metadata), CancellationToken.None));
        Assert.Empty(_broker.Requests);

        _broker.Then(413);
        await Assert.ThrowsAsync<EventTooLargeException>(() => publisher.PublishAsync(Message(), CancellationToken.None));
    }

    [Fact]
    public async Task ScheduledMessagesCarryTheirOwnIdAndTheEnqueueTime()
    {
        var scheduler = Services().GetRequiredService<IScheduledEventPublisher>();
        var at = new DateTimeOffset(2026, 11, 23, 10, 15, 30, TimeSpan.FromHours(1));

        await scheduler.ScheduleAsync(Message(eventId: "evt-9"), at, "evt-9:retry-1", CancellationToken.None);

        var request = Assert.Single(_broker.Requests);
        using var broker = JsonDocument.Parse(request.Header("BrokerProperties")!);
        Assert.Equal("evt-9:retry-1", broker.RootElement.GetProperty("MessageId").GetString());
        Assert.Equal("Mon, 23 Nov 2026 09:15:30 GMT", broker.RootElement.GetProperty("ScheduledEnqueueTimeUtc").GetString());
        Assert.Equal("\"evt-9\"", request.Header("eventId"));
    }

    [Theory]
    [InlineData(null, "ServiceBusConnection__fullyQualifiedNamespace")]
    [InlineData("Endpoint=sb://sb-test.servicebus.windows.net/;SharedAccessKeyName=send", "SharedAccessKey")]
    [InlineData("SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0", "Endpoint=sb://")]
    public void StartUpValidationNamesTheMissingServiceBusSetting(string? connectionString, string named)
    {
        var settings = new Dictionary<string, string?> { ["Events:Transport"] = "ServiceBus", ["ServiceBusConnection"] = connectionString };
        var services = new ServiceCollection().AddLogging();
        services.AddEventPublishing(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EventsOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentityBasedConnectionNeedsNoSecret()
    {
        var connection = ServiceBusConnection.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServiceBusConnection:fullyQualifiedNamespace"] = "sb://SB-Test.servicebus.windows.net/",
            ["ServiceBusConnection:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build());

        Assert.True(connection.UsesEntraId);
        Assert.Equal("sb-test.servicebus.windows.net", connection.FullyQualifiedNamespace);
        Assert.Equal(new Uri("https://sb-test.servicebus.windows.net/"), connection.RestEndpoint);
    }

    private IEventPublisher Publisher(bool identity = false, IServiceBusTokenSource? tokens = null, Dictionary<string, string?>? extra = null) =>
        Services(identity, tokens, extra).GetRequiredService<IEventPublisher>();

    private ServiceProvider Services(bool identity = false, IServiceBusTokenSource? tokens = null, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Events:Transport"] = "ServiceBus",
            ["Events:ServiceBusEndpoint"] = _broker.Endpoint.ToString(),
        };
        if (identity)
        {
            settings["ServiceBusConnection:fullyQualifiedNamespace"] = Namespace;
        }
        else
        {
            settings["ServiceBusConnection"] = $"Endpoint=sb://{Namespace}/;SharedAccessKeyName={KeyName};SharedAccessKey={Key}";
        }

        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        var services = new ServiceCollection().AddLogging();
        if (tokens is not null)
        {
            services.AddSingleton(tokens);
        }

        services.AddEventPublishing(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    private static EventMessage Message(string type = "payment.paid", string? eventId = null, string resourceId = "pay-1")
    {
        eventId ??= "evt-" + Guid.NewGuid().ToString("N");
        var body = SampleEvents.Build(type, "1234", resourceId, eventId);
        return new EventMessage(body, new EventMetadata(eventId, type, "1234", "payment", resourceId, "v1", "key-1", DateTimeOffset.UtcNow));
    }

    /// <summary>A credential that hands out numbered tokens and counts how often it was asked.</summary>
    private sealed class CountingCredential(TimeSpan lifetime, TimeProvider? time = null) : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public string[] LastScopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            LastScopes = requestContext.Scopes;
            var n = Interlocked.Increment(ref _calls);
            return new AccessToken($"token-{n}", (time ?? TimeProvider.System).GetUtcNow() + lifetime);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
