using Azure.Messaging.ServiceBus;
using ConnectEvents.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectEvents.UnitTests.Messaging;

/// <summary>What <c>AddEventPublishing</c> builds from the settings; constructing Service Bus clients connects to nothing.</summary>
public sealed class EventPublishingRegistrationTests : IAsyncLifetime
{
    private const string ConnectionString = "Endpoint=sb://sb-conn.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0LWtleS12YWx1ZQ==";
    private readonly List<ServiceProvider> _providers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    [Fact]
    public void WithoutServiceBusSettingsOnlyTheQueueIsPublishedToAndNoClientIsBuilt()
    {
        var clientBuilt = false;
        var provider = Build([], services => services.AddSingleton<ServiceBusClient>(_ =>
        {
            clientBuilt = true;
            throw new InvalidOperationException("no client should be built");
        }));

        var publisher = Assert.IsType<FanOutEventPublisher>(provider.GetRequiredService<IEventPublisher>());

        Assert.IsType<StorageQueueEventPublisher>(publisher.Queue);
        Assert.Null(publisher.Topic);
        Assert.False(clientBuilt);
    }

    [Fact]
    public void ConnectionStringBuildsTheClientForItsNamespaceAndOneSenderForTheTopic()
    {
        var provider = Build(new() { ["ServiceBusConnection"] = ConnectionString, ["Events:TopicName"] = "events-out" });

        var publisher = Assert.IsType<FanOutEventPublisher>(provider.GetRequiredService<IEventPublisher>());

        Assert.Equal("events-out", Assert.IsType<ServiceBusTopicPublisher>(publisher.Topic).TopicName);
        Assert.Equal("sb-conn.servicebus.windows.net", provider.GetRequiredService<ServiceBusClient>().FullyQualifiedNamespace);
        Assert.Same(provider.GetRequiredService<ServiceBusSender>(), provider.GetRequiredService<ServiceBusSender>());
        Assert.Equal("events-out", provider.GetRequiredService<ServiceBusSender>().EntityPath);
    }

    [Theory]
    [InlineData("sb-mi.servicebus.windows.net")]
    [InlineData("sb://sb-mi.servicebus.windows.net/")]
    public void ManagedIdentitySettingsBuildTheClientForTheNamespace(string fullyQualifiedNamespace)
    {
        var provider = Build(new()
        {
            ["ServiceBusConnection:fullyQualifiedNamespace"] = fullyQualifiedNamespace,
            ["ServiceBusConnection:clientId"] = "11111111-2222-3333-4444-555555555555",
            ["ServiceBusConnection:credential"] = "managedidentity",
        });

        Assert.NotNull(Assert.IsType<FanOutEventPublisher>(provider.GetRequiredService<IEventPublisher>()).Topic);
        Assert.Equal("sb-mi.servicebus.windows.net", provider.GetRequiredService<ServiceBusClient>().FullyQualifiedNamespace);
        Assert.Equal("connect-events", provider.GetRequiredService<ServiceBusSender>().EntityPath);
    }

    [Fact]
    public void ARegisteredSenderReplacesTheRealOneAndNoClientIsBuilt()
    {
        var fake = new RecordingServiceBusSender();
        var provider = Build(new() { ["ServiceBusConnection:fullyQualifiedNamespace"] = "sb-x.servicebus.windows.net" },
            services => services.AddSingleton<ServiceBusSender>(fake).AddSingleton<ServiceBusClient>(_ => throw new InvalidOperationException("not built")));

        var publisher = Assert.IsType<FanOutEventPublisher>(provider.GetRequiredService<IEventPublisher>());

        Assert.NotNull(publisher.Topic);
        Assert.Same(fake, provider.GetRequiredService<ServiceBusSender>());
    }

    [Theory]
    [InlineData("Endpoint=sb://sb-conn.servicebus.windows.net/;SharedAccessKeyName=send", "SharedAccessKey")]
    [InlineData("SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0LWtleS12YWx1ZQ==", "Endpoint")]
    [InlineData("not a connection string c2VjcmV0LWtleS12YWx1ZQ==", "ServiceBusConnection")]
    [InlineData(ConnectionString + ";EntityPath=other-topic", "Events__TopicName")]
    public void UnusableConnectionStringFailsStartUpNamingTheProblemWithoutTheKey(string connectionString, string named)
    {
        var error = StartUpFailure(new() { ["ServiceBusConnection"] = connectionString });

        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWtleS12YWx1ZQ==", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnusableNamespaceFailsStartUpNamingTheSetting() =>
        Assert.Contains("ServiceBusConnection__fullyQualifiedNamespace", StartUpFailure(new() { ["ServiceBusConnection:fullyQualifiedNamespace"] = "not a host" }), StringComparison.Ordinal);

    [Theory]
    [InlineData("Events:PublishTimeout", "00:00:00", "Events__PublishTimeout")]
    [InlineData("Events:PublishAttemptTimeout", "-00:00:01", "Events__PublishAttemptTimeout")]
    [InlineData("Events:ServiceBusMaxMessageBytes", "10", "Events__ServiceBusMaxMessageBytes")]
    public void UnusableEventsSettingFailsStartUpNamingIt(string key, string value, string named) =>
        Assert.Contains(named, StartUpFailure(new() { [key] = value }), StringComparison.Ordinal);

    [Theory]
    [InlineData("00:00:05", "00:00:02")]
    [InlineData("00:00:05", "00:00:10")]
    [InlineData("00:00:01", "00:00:00.200")]
    [InlineData("00:00:30", "00:00:01")]
    [InlineData("00:00:00.050", "00:00:00.010")]
    public void RetriesAreExponentialAndFitTheBudgetEvenWhenEveryAttemptTimesOut(string budget, string attempt)
    {
        var options = new EventsOptions { PublishTimeout = TimeSpan.Parse(budget, System.Globalization.CultureInfo.InvariantCulture), PublishAttemptTimeout = TimeSpan.Parse(attempt, System.Globalization.CultureInfo.InvariantCulture) };

        var retry = OutboundBudgets.ServiceBus(options);

        Assert.Equal(ServiceBusRetryMode.Exponential, retry.Mode);
        Assert.True(retry.TryTimeout <= options.PublishAttemptTimeout && retry.TryTimeout <= options.PublishTimeout);
        Assert.True(retry.Delay <= retry.MaxDelay || retry.Delay == TimeSpan.FromMilliseconds(1));
        var worstCase = retry.TryTimeout * (retry.MaxRetries + 1) + retry.MaxDelay * retry.MaxRetries;
        Assert.True(worstCase <= options.PublishTimeout, $"{retry.MaxRetries} retries of {retry.TryTimeout} with pauses up to {retry.MaxDelay} take {worstCase}");
    }

    [Fact]
    public void DefaultBudgetStillAllowsARetry()
    {
        var retry = OutboundBudgets.ServiceBus(new EventsOptions());
        Assert.Equal((1, TimeSpan.FromSeconds(2)), (retry.MaxRetries, retry.TryTimeout));
    }

    private string StartUpFailure(Dictionary<string, string?> settings)
    {
        var provider = Build(settings);
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EventsOptions>>().Value).Message;
    }

    private ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? replace = null)
    {
        settings["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddEventPublishing(configuration);
        replace?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _providers.Add(provider);
        return provider;
    }
}
