using ConnectEvents.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Benchmarks.Infrastructure;

/// <summary>
/// The function app on real Kestrel (127.0.0.1, free port) with no log output, started at construction. Settings default
/// to a webhook-only app (pump off, Connect unreachable); <c>settings</c> override them.
/// </summary>
internal sealed class LoadFunctionApp : WebApplicationFactory<Program>
{
    /// <summary>The webhook key id the app trusts.</summary>
    public const string KeyId = "load-key";

    /// <summary>Its secret.</summary>
    public const string Secret = "load-secret";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public LoadFunctionApp(string? storage, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        _settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage ?? "UseDevelopmentStorage=true",
            ["Webhooks:SecretKeys:0:KeyId"] = KeyId,
            ["Webhooks:SecretKeys:0:Secret"] = Secret,
            ["Events:QueueName"] = "load-" + Guid.NewGuid().ToString("N")[..8],
            ["Processing:Pump:Enabled"] = "false",
            ["Connect:Endpoint"] = "http://127.0.0.1:9/",
            ["Connect:ApiKeyId"] = "unused-key",
            ["Connect:SecretApiKey"] = "unused-secret",
            ["urls"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        // `dotnet run` starts from the project folder, where the factory's content-root search goes astray.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_CONNECTEVENTS_FUNCTIONS", Path.Combine(RepositoryPaths.Root, "functions"));
        UseKestrel(0);
        StartServer();
    }

    /// <summary>The app's base URL.</summary>
    public string ServerUrl => ClientOptions.BaseAddress.ToString();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // Measure what runs in Azure: the factory's default Development environment adds the developer exception page and
        // DI scope validation on every resolution.
        builder.UseEnvironment(Environments.Production);
        builder.ConfigureLogging(l => l.ClearProviders());
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
