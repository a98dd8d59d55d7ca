using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Benchmarks.Infrastructure;

/// <summary>
/// The dev host in this process on real Kestrel (127.0.0.1, a free port), Production environment, no log output. Settings
/// default to a webhook-only app (processing disabled, Connect unreachable); <c>settings</c> override them.
/// </summary>
internal sealed class LoadDevHost : IAsyncDisposable
{
    /// <summary>The webhook key id the app trusts.</summary>
    public const string KeyId = "load-key";

    /// <summary>Its secret.</summary>
    public const string Secret = "load-secret";

    private readonly WebApplication _app;

    private LoadDevHost(WebApplication app, Uri serverUrl)
    {
        _app = app;
        ServerUrl = serverUrl;
    }

    /// <summary>The bound base URL.</summary>
    public Uri ServerUrl { get; }

    /// <summary>
    /// Builds and starts the dev host over <paramref name="storage"/> (it creates its queue at start, so storage must answer);
    /// <paramref name="services"/> replaces services before the build.
    /// </summary>
    public static async Task<LoadDevHost> StartAsync(string storage, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["Webhooks:SecretKeys:0:KeyId"] = KeyId,
            ["Webhooks:SecretKeys:0:Secret"] = Secret,
            ["Events:QueueName"] = "load-" + Guid.NewGuid().ToString("N")[..8],
            // The function-disable setting the Functions host reads: the webhook run measures ingress + enqueue alone.
            ["AzureWebJobs.ProcessConnectEvent.Disabled"] = "true",
            ["Connect:Endpoint"] = "http://127.0.0.1:9/",
            ["Connect:ApiKeyId"] = "unused-key",
            ["Connect:SecretApiKey"] = "unused-secret",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        // Measure what runs in Azure, whatever the caller's environment variables say: Development would add the developer
        // exception page and DI scope validation on every resolution.
        var app = DevHost.Program.Build(["--urls", "http://127.0.0.1:0", "--environment", Environments.Production], builder =>
        {
            builder.Configuration.AddInMemoryCollection(all);
            builder.Logging.ClearProviders();
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoadDevHost(app, new Uri(bound));
    }

    /// <summary>Stops the host; the queue listener finishes what it holds.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
