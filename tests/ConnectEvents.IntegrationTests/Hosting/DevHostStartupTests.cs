using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Webhooks;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// The dev host's first run as a newcomer meets it: configured by the same local.settings.json as <c>func start</c>,
/// every missing setting reported at once, a taken port named, and never a stack trace.
/// </summary>
public sealed class DevHostStartupTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("devhost-start-").FullName;

    [Fact]
    public async Task LocalSettingsJsonInFunctionsConfiguresTheDevHostAndEnvironmentVariablesOverrideIt()
    {
        var port = FreePort.Next();
        var values = new JsonObject
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Webhooks__SecretKeys__0__KeyId"] = "k",
            ["Webhooks__SecretKeys__0__Secret"] = "file-secret",
            ["Events__QueueName"] = AzuriteFixture.UniqueName("lsj"),
            ["Connect__Endpoint"] = "http://127.0.0.1:9/",
            ["Connect__ApiKeyId"] = "unused-key",
            ["Connect__SecretApiKey"] = "unused-secret",
            ["AzureWebJobs.ProcessConnectEvent.Disabled"] = "true",
        };
        Directory.CreateDirectory(Path.Combine(_directory, "functions"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "functions", "local.settings.json"),
            new JsonObject { ["IsEncrypted"] = false, ["Values"] = values, ["Host"] = new JsonObject { ["LocalHttpPort"] = port } }.ToJsonString());

        // No --urls: the port comes from Host.LocalHttpPort; the environment replaces the file's secret.
        using var process = Start([], new() { ["Webhooks__SecretKeys__0__Secret"] = "env-secret" });
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilAnswersAsync(http, process.Process);
            var body = SampleEvents.Build("payment.paid", "1234", "pay-lsj", "evt-lsj");

            using var withFileSecret = await http.SendAsync(Signed(body, "file-secret"));
            using var withEnvironmentSecret = await http.SendAsync(Signed(body, "env-secret"));

            Assert.Equal(HttpStatusCode.Unauthorized, withFileSecret.StatusCode);
            Assert.True(withEnvironmentSecret.IsSuccessStatusCode, $"{withEnvironmentSecret.StatusCode}\n{process.Output}");
        }
        finally
        {
            process.Stop();
        }
    }

    [Fact]
    public async Task EveryMissingSettingIsReportedAtOnceWithoutAStackTrace()
    {
        var (exitCode, output) = await RunToExitAsync(["--urls", $"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}"]);

        Assert.Equal(2, exitCode);
        foreach (var setting in new[] { "AzureWebJobsStorage", "Webhooks__SecretKeys__0__KeyId", "Connect__ApiKeyId", "Connect__SecretApiKey", "Connect__Endpoint" })
        {
            Assert.Contains(setting, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreadableLocalSettingsJsonIsNamed()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "local.settings.json"), "{ \"Values\": { \"AzureWebJobsStorage\": ");

        var (exitCode, output) = await RunToExitAsync(["--urls", "http://127.0.0.1:0"], Settings());

        Assert.Equal(2, exitCode);
        Assert.Contains(Path.Combine(_directory, "local.settings.json"), output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATakenPortStopsTheStartWithOneLineNamingThePortAndUrls()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        var (exitCode, output) = await RunToExitAsync(["--urls", $"http://127.0.0.1:{port}"], Settings());

        Assert.Equal(3, exitCode);
        Assert.Contains($"port {port} is taken", output, StringComparison.Ordinal);
        Assert.Contains("--urls", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.Contains(port, StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADuplicateDeliverysSkipIsLoggedAtInformation()
    {
        await using var simulator = await Connect.Simulator.SimulatorHost.StartAsync();
        simulator.State.SeedPayment("1234", "pay-dup");
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, "k", "s");
        settings["Events__QueueName"] = AzuriteFixture.UniqueName("dup");
        settings["Processing__Store__TableName"] = "pe" + Guid.NewGuid().ToString("N")[..16];
        settings["Connect__Endpoint"] = simulator.BaseAddress.ToString();
        settings["Connect__ApiKeyId"] = Connect.Simulator.SimulatorHost.DefaultApiKeyId;
        settings["Connect__SecretApiKey"] = Connect.Simulator.SimulatorHost.DefaultSecretApiKey;
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.100";
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var body = SampleEvents.Build("payment.pending_capture", "1234", "pay-dup", "evt-dup");

        // The redelivery comes after the first delivery is done, as Connect's retry of an event already answered would.
        using var first = await http.SendAsync(Signed(body, "s"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!app.Output.Contains("Event evt-dup (payment.pending_capture) processed", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the first delivery was not processed:\n" + app.Output);
            await Task.Delay(100);
        }

        using var second = await http.SendAsync(Signed(body, "s"));

        Assert.True(first.IsSuccessStatusCode && second.IsSuccessStatusCode, app.Output);
        while (!app.Output.Contains("Event evt-dup skipped: AlreadyCompleted", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "no skip was logged:\n" + app.Output);
            await Task.Delay(100);
        }

        // The console logger writes "info: category[id]" on the line before the message.
        var lines = app.Output.Split('\n');
        var at = Array.FindIndex(lines, l => l.Contains("Event evt-dup skipped: AlreadyCompleted", StringComparison.Ordinal));
        Assert.StartsWith("info:", lines[at - 1], StringComparison.Ordinal);
        Assert.Equal(1, simulator.State.CountCaptures("1234", "pay-dup"));
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Dictionary<string, string> Settings()
    {
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, "k", "s");
        settings["AzureWebJobs.ProcessConnectEvent.Disabled"] = "true";
        return settings;
    }

    private RunningProcess Start(IReadOnlyList<string> args, Dictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = _directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(DevHostProcess.AppDll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // Only what the test gives: nothing of this process's own settings may configure the app.
        foreach (var key in psi.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal) || k.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? [])
        {
            psi.Environment[key] = value;
        }

        return new RunningProcess(Process.Start(psi) ?? throw new InvalidOperationException("could not start the dev host"));
    }

    private async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyList<string> args, Dictionary<string, string>? environment = null)
    {
        using var process = Start(args, environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Stop();
            Assert.Fail("the dev host did not stop on its own:\n" + process.Output);
        }

        await process.Process.WaitForExitAsync();
        return (process.Process.ExitCode, process.Output);
    }

    private static async Task WaitUntilAnswersAsync(HttpClient http, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "the dev host exited");
            try
            {
                using var _ = await http.GetAsync("/");
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private static HttpRequestMessage Signed(byte[] body, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(secret)));
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", "k");
        return request;
    }

    /// <summary>A started process whose standard output and error are collected.</summary>
    private sealed class RunningProcess : IDisposable
    {
        private readonly StringBuilder _output = new();

        public RunningProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

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

        public void Stop()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }
        }

        public void Dispose()
        {
            Stop();
            Process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
