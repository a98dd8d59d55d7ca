using Azure.Data.Tables;
using Azure.Storage.Queues;
using Connect.Simulator;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;
using ConnectEvents.Storage;
using ConnectEvents.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.IntegrationTests.Processing;

/// <summary>The whole pipeline for one test: the dev host (webhook + queue listener) on Azurite with its own queue and tables, and a Connect simulator.</summary>
public sealed class Pipeline : IAsyncDisposable
{
    /// <summary>The merchant every test event belongs to.</summary>
    public const string Merchant = "1234";

    private readonly string _storage;

    private Pipeline(string storage, SimulatorHost simulator, WebhookApp app, string eventsTable, string vaultTable)
    {
        _storage = storage;
        Simulator = simulator;
        App = app;
        EventsTable = eventsTable;
        VaultTable = vaultTable;
    }

    /// <summary>The Connect simulator.</summary>
    public SimulatorHost Simulator { get; }

    /// <summary>The function app in the test host.</summary>
    public WebhookApp App { get; }

    /// <summary>The processed-event table.</summary>
    public string EventsTable { get; }

    /// <summary>The token vault table.</summary>
    public string VaultTable { get; }

    /// <summary>Starts a pipeline; <paramref name="extra"/> overrides settings, <paramref name="services"/> replaces services.</summary>
    public static async Task<Pipeline> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var simulator = await SimulatorHost.StartAsync();
        var eventsTable = "pe" + Guid.NewGuid().ToString("N")[..16];
        var vaultTable = "tv" + Guid.NewGuid().ToString("N")[..16];
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobs.ProcessConnectEvent.Disabled"] = "false",
            // The listener retries a failed message after the visibility timeout: short, so retries happen within a test.
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00.200",
            ["Processing:Store:TableName"] = eventsTable,
            ["TokenVault:TableName"] = vaultTable,
            ["Connect:Endpoint"] = simulator.BaseAddress.ToString(),
            ["Connect:ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
            ["Connect:SecretApiKey"] = SimulatorHost.DefaultSecretApiKey,
            ["Connect:RetryBaseDelay"] = "00:00:00.020",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        var app = new WebhookApp(azurite.ConnectionString, settings, services);
        app.CreateClient().Dispose(); // starts the host, and with it the queue listener
        return new Pipeline(azurite.ConnectionString, simulator, app, eventsTable, vaultTable);
    }

    /// <summary>The processed-event store over the app's table.</summary>
    public TableProcessedEventStore Store() => new(new TableClient(_storage, EventsTable), TimeProvider.System);

    /// <summary>The token vault over the app's table.</summary>
    public TableTokenVault Vault() => new(new TableClient(_storage, VaultTable), new TokenVaultOptions { TableName = VaultTable }, TimeProvider.System);

    /// <summary>The poison queue of the app's events queue.</summary>
    public QueueClient PoisonQueue() => new(_storage, App.QueueName + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>How many messages wait in the poison queue (0 when nothing was ever poisoned and it does not exist).</summary>
    public async Task<int> PoisonCountAsync()
    {
        var poison = PoisonQueue();
        return await poison.ExistsAsync() ? (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }

    /// <summary>Waits until the record of <paramref name="eventId"/> is in <paramref name="state"/> (bounded; fails with the last record seen).</summary>
    public async Task<ProcessedEventRecord> WaitForStateAsync(string eventId, ProcessingState state, TimeSpan? within = null)
    {
        var store = Store();
        ProcessedEventRecord? last = null;
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            last = await TryGetAsync(store, eventId);
            if (last?.State == state)
            {
                return last;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"event {eventId} did not reach {state}; last record: {last?.ToString() ?? "(none)"}");
    }

    /// <summary>Waits until the events queue is empty, in flight included (bounded).</summary>
    public async Task WaitForQueueDrainedAsync(TimeSpan? within = null)
    {
        var queue = App.Queue();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (await queue.ExistsAsync() && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0)
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"queue {App.QueueName} was not drained");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    private static async Task<ProcessedEventRecord?> TryGetAsync(TableProcessedEventStore store, string eventId)
    {
        try
        {
            return await store.GetAsync(eventId, CancellationToken.None);
        }
        catch (StoreUnavailableException)
        {
            return null;
        }
    }
}
