using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Webhooks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>The function app in the ASP.NET Core test host, wired to an Azurite instance with its own queue and quarantine container.</summary>
public sealed class WebhookApp : WebApplicationFactory<Program>
{
    /// <summary>The key id the app trusts.</summary>
    public const string KeyId = "test-key";

    /// <summary>Its secret.</summary>
    public const string Secret = "test-secret-7f3a";

    private readonly string _connectionString;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

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
            ["Processing:Pump:Enabled"] = "false",
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
        var request = new HttpRequestMessage(HttpMethod.Post, ConnectEvents.Functions.Webhooks.ConnectWebhookEndpoint.Route)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=UTF-8");
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(secret ?? Secret)));
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", keyId);
        return CreateClient().SendAsync(request);
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddProvider(new FakeLoggerProvider(Logs));
        }));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
