using System.Diagnostics;
using System.Net.Sockets;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// One Azurite process (blob, queue and table) on free 127.0.0.1 ports, in memory, from the repository's
/// pinned npm install (<c>npm ci</c> at the root; run here if node_modules is missing). Can be stopped and
/// restarted on the same ports to simulate a storage outage.
/// </summary>
public sealed class AzuriteInstance : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private Process? _process;

    private AzuriteInstance()
    {
        BlobPort = FreePort.Next();
        QueuePort = FreePort.Next();
        TablePort = FreePort.Next();
    }

    /// <summary>Blob endpoint port.</summary>
    public int BlobPort { get; }

    /// <summary>Queue endpoint port.</summary>
    public int QueuePort { get; }

    /// <summary>Table endpoint port.</summary>
    public int TablePort { get; }

    /// <summary>A connection string for the well-known development account on this instance's ports.</summary>
    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey +
        $";BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1" +
        $";QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1" +
        $";TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>CPU time the Azurite process has used so far (for load runs that split CPU between Azurite and the app).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            if (_process is not { HasExited: false } p)
            {
                return TimeSpan.Zero;
            }

            p.Refresh();
            return p.TotalProcessorTime;
        }
    }

    /// <summary>Starts a new instance and waits until all three endpoints accept connections.</summary>
    public static async Task<AzuriteInstance> StartAsync()
    {
        var instance = new AzuriteInstance();
        await instance.StartProcessAsync();
        return instance;
    }

    /// <summary>Kills the process (in-memory data is lost); the ports stop answering.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the process again on the same ports (empty storage).</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartProcessAsync()
    {
        var script = await EnsureInstalledAsync();
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in new[]
                 {
                     script,
                     "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--inMemoryPersistence", "--skipApiVersionCheck", "--silent", "--disableTelemetry",
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node for Azurite");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await CanConnectAsync(port))
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening on {port}");
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Azurite did not listen on 127.0.0.1:{port} within 60 s");
                }

                await Task.Delay(50);
            }
        }
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static async Task<string> EnsureInstalledAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(script))
            {
                var psi = new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = RepositoryPaths.Root, UseShellExecute = false };
                using var npm = Process.Start(psi) ?? throw new InvalidOperationException("could not start npm");
                await npm.WaitForExitAsync();
                if (npm.ExitCode != 0 || !File.Exists(script))
                {
                    throw new InvalidOperationException("npm ci did not install Azurite (node_modules/azurite)");
                }
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return script;
    }
}
