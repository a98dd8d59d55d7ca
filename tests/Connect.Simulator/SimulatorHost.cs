using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Connect.Simulator;

/// <summary>The simulator hosted in-process on real Kestrel at 127.0.0.1 on a free port, for tests.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    /// <summary>API key id accepted when no other keys are configured.</summary>
    public const string DefaultApiKeyId = "sim-key";

    /// <summary>Secret API key paired with <see cref="DefaultApiKeyId"/>.</summary>
    public const string DefaultSecretApiKey = "sim-secret";

    private readonly WebApplication _app;

    private SimulatorHost(WebApplication app, Uri baseAddress, SimulatorState state)
    {
        _app = app;
        BaseAddress = baseAddress;
        State = state;
    }

    /// <summary>Where the simulator listens, ending with <c>/</c> (e.g. <c>http://127.0.0.1:41234/</c>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The simulator's payments, tokens, request log and fault switches.</summary>
    public SimulatorState State { get; }

    /// <summary>Starts a simulator on 127.0.0.1 with a port chosen by the OS.</summary>
    public static async Task<SimulatorHost> StartAsync(SimulatorOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SimulatorOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SimulatorHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        if (options.LoggerProvider is { } provider)
        {
            builder.Logging.AddProvider(provider);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var state = new SimulatorState(options.TimeProvider);
        var app = SimulatorApplication.Build(builder, options, state);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new SimulatorHost(app, new Uri(address.TrimEnd('/') + "/"), state);
    }

    /// <summary>Stops the server and releases the port.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
