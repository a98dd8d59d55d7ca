using System.Diagnostics;
using System.Text;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// The built function app started as its own process, the way the Functions host starts a custom handler:
/// environment variables for settings and <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> for the loopback port.
/// </summary>
public sealed class FunctionAppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private FunctionAppProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The port the app was told to listen on.</summary>
    public int Port { get; }

    /// <summary>Where to call it.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>What the process printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The function app's build output (same configuration as the running tests).</summary>
    public static string AppDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            return Path.Combine(RepositoryPaths.Root, "functions", "bin", configuration, "net10.0", "ConnectEvents.Functions.dll");
        }
    }

    /// <summary>
    /// The settings any start needs besides those a test is about: storage, one webhook key, the standalone pump off and
    /// a Connect key pair pointing at a closed port (the webhook never calls Connect).
    /// </summary>
    public static Dictionary<string, string> BaseSettings(string storageConnectionString, string keyId, string secret) => new()
    {
        ["AzureWebJobsStorage"] = storageConnectionString,
        ["Webhooks__SecretKeys__0__KeyId"] = keyId,
        ["Webhooks__SecretKeys__0__Secret"] = secret,
        ["Processing__Pump__Enabled"] = "false",
        ["Connect__Endpoint"] = "http://127.0.0.1:9/",
        ["Connect__ApiKeyId"] = "unused-key",
        ["Connect__SecretApiKey"] = "unused-secret",
    };

    /// <summary>Starts the app with <paramref name="environment"/> and waits until it answers the host's readiness probe (any response to GET /).</summary>
    public static Task<FunctionAppProcess> StartAsync(IDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("dotnet");
        psi.ArgumentList.Add(AppDll);
        return StartAsync(psi, environment);
    }

    /// <summary>Starts a published executable (the deployable package) from its own folder, as the Functions host does.</summary>
    public static Task<FunctionAppProcess> StartExecutableAsync(string executable, IDictionary<string, string> environment) =>
        StartAsync(new ProcessStartInfo(executable) { WorkingDirectory = Path.GetDirectoryName(executable)! }, environment);

    private static async Task<FunctionAppProcess> StartAsync(ProcessStartInfo psi, IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var port = FreePort.Next();
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the function app");
        var app = new FunctionAppProcess(process, port);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                // The parameterless wait also drains the redirected output, so the message below is complete.
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"the function app exited with {process.ExitCode}:\n{app.Output}");
            }

            try
            {
                using var _ = await http.GetAsync(app.BaseAddress);
                return app;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(25);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
