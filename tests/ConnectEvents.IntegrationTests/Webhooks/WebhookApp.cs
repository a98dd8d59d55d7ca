using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>
/// The function app in the dev host on real Kestrel (127.0.0.1, a free port), with the WebJobs queue listener, wired to an
/// Azurite instance with its own queue and quarantine container. Started on first use. Clients from
/// <see cref="CreateClient"/> carry the master key, as an operator's would; <see cref="CreateAnonymousClient"/> carries none.
/// </summary>
public sealed class WebhookApp : IAsyncDisposable, IDisposable
{
    /// <summary>The dev host's master key (opens Function and Admin routes).</summary>
    public const string MasterKey = "test-master-key";

    /// <summary>The dev host's function key (opens Function routes only).</summary>
    public const string FunctionKey = "test-function-key";
    /// <summary>The key id the app trusts.</summary>
    public const string KeyId = "test-key";

    /// <summary>Its secret.</summary>
    public const string Secret = "test-secret-7f3a";

    private readonly string _connectionString;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly object _gate = new();
    private readonly List<HttpClient> _clients = [];
    private WebApplication? _host;
    private Uri? _address;
    private HttpClient? _client;

    /// <summary>Creates the app over <paramref name="storageConnectionString"/>, with extra settings layered on top.</summary>
    public WebhookApp(string storageConnectionString, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        _connectionString = storageConnectionString;
        QueueName = Infrastructure.AzuriteFixture.UniqueName("events");
        QuarantineContainer = Infrastructure.AzuriteFixture.UniqueName("quarantine");
        _settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storageConnectionString,
            ["Webhooks:SecretKeys:0:KeyId"] = KeyId,
            ["Webhooks:SecretKeys:0:Secret"] = Secret,
            ["Webhooks:QuarantineContainer"] = QuarantineContainer,
            ["Events:QueueName"] = QueueName,
            // Webhook tests read what the webhook enqueued; Pipeline switches processing on.
            ["AzureWebJobs.ProcessConnectEvent.Disabled"] = "true",
            ["DevHost:MasterKey"] = MasterKey,
            // Our own Debug lines (rejections) are what several tests read.
            ["Logging:LogLevel:ConnectEvents"] = "Debug",
            ["DevHost:FunctionKey"] = FunctionKey,
            // Poll the queue often: the host's default backs off to a minute when idle.
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.100",
            ["Connect:Endpoint"] = "http://127.0.0.1:9/",
            ["Connect:ApiKeyId"] = "unused-key",
            ["Connect:SecretApiKey"] = "unused-secret",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    /// <summary>The queue this app publishes to.</summary>
    public string QueueName { get; }

    /// <summary>The quarantine container.</summary>
    public string QuarantineContainer { get; }

    /// <summary>Every log line the app wrote.</summary>
    public FakeLogCollector Logs { get; } = new();

    /// <summary>A client for the app's queue (base64 messages, as published).</summary>
    public QueueClient Queue() => new(_connectionString, QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>All messages currently in the queue (peeked, not removed).</summary>
    public async Task<PeekedMessage[]> PeekAllAsync()
    {
        var queue = Queue();
        if (!await queue.ExistsAsync())
        {
            return [];
        }

        return (await queue.PeekMessagesAsync(32)).Value;
    }

    /// <summary>POSTs <paramref name="body"/> signed with the app's key.</summary>
    public Task<HttpResponseMessage> PostSignedAsync(byte[] body, string? secret = null, string keyId = KeyId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ConnectEvents.Functions.Webhooks.ConnectWebhook.Route)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=UTF-8");
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(secret ?? Secret)));
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", keyId);
        return (_client ??= CreateClient()).SendAsync(request);
    }

    /// <summary>A client of the running app with the master key in <c>x-functions-key</c>.</summary>
    public HttpClient CreateClient()
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("x-functions-key", MasterKey);
        return client;
    }

    /// <summary>The running app's services.</summary>
    public IServiceProvider Services
    {
        get
        {
            Start();
            return _host!.Services;
        }
    }

    /// <summary>A client of the running app without any key.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = new HttpClient { BaseAddress = Start() };
        lock (_gate)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>Stops the host (the listener finishes what it holds) and frees it.</summary>
    public async ValueTask DisposeAsync()
    {
        WebApplication? host;
        lock (_gate)
        {
            host = _host;
            _host = null;
            _clients.ForEach(c => c.Dispose());
            _clients.Clear();
        }

        if (host is not null)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private Uri Start()
    {
        lock (_gate)
        {
            if (_address is not null)
            {
                return _address;
            }

            _host = ConnectEvents.DevHost.Program.Build(["--urls", "http://127.0.0.1:0"], builder =>
            {
                builder.Configuration.AddInMemoryCollection(_settings);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
                builder.Logging.AddProvider(new Infrastructure.TextLogsOnly(new FakeLoggerProvider(Logs)));
                _services?.Invoke(builder.Services);
            });
            try
            {
                _host.StartAsync().GetAwaiter().GetResult();
            }
            catch
            {
                // A start that failed (settings refused at start-up) leaves nothing to stop.
                _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
                _host = null;
                throw;
            }

            var bound = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            _address = new Uri(bound);
            return _address;
        }
    }
}
