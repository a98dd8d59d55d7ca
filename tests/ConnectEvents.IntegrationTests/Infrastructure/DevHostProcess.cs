using System.Diagnostics;
using System.Text;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// The built dev host started as its own process, the way a user runs it: settings as environment variables and
/// <c>--urls http://127.0.0.1:{port}</c>.
/// </summary>
public sealed class DevHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private int _disposed;
    private readonly StringBuilder _output = new();

    private DevHostProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The operating system's id of the dev host process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The process's peak resident memory so far (VmHWM from /proc), in bytes.</summary>
    public long PeakResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line["VmHWM:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>True once the process has ended (crashed, or stopped on its own).</summary>
    public bool HasExited => _process.HasExited;

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

    /// <summary>The dev host's build output (same configuration as the running tests).</summary>
    public static string AppDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            return Path.Combine(RepositoryPaths.Root, "tools", "ConnectEvents.DevHost", "bin", configuration, "net10.0", "ConnectEvents.DevHost.dll");
        }
    }

    /// <summary>
    /// The settings any start needs besides those a test is about: storage, one webhook key and a Connect key pair
    /// pointing at a closed port (the webhook never calls Connect).
    /// </summary>
    public static Dictionary<string, string> BaseSettings(string storageConnectionString, string keyId, string secret) => new()
    {
        ["AzureWebJobsStorage"] = storageConnectionString,
        ["Webhooks__SecretKeys__0__KeyId"] = keyId,
        ["Webhooks__SecretKeys__0__Secret"] = secret,
        ["Connect__Endpoint"] = "http://127.0.0.1:9/",
        ["Connect__ApiKeyId"] = "unused-key",
        ["Connect__SecretApiKey"] = "unused-secret",
    };

    /// <summary>
    /// Starts the dev host with <paramref name="environment"/> from another working directory (it must find host.json
    /// beside itself) and waits until it answers HTTP (any response to GET /).
    /// </summary>
    public static async Task<DevHostProcess> StartAsync(IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var port = FreePort.Next();
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetTempPath() };
        psi.ArgumentList.Add(AppDll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the dev host");
        var app = new DevHostProcess(process, port);
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
                throw new InvalidOperationException($"the dev host exited with {process.ExitCode}:\n{app.Output}");
            }

            try
            {
                using var _ = await http.GetAsync(app.BaseAddress);
                return app;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(25);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

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
