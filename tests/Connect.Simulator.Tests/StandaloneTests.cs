using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Connect.Simulator.Tests;

/// <summary>The simulator as scripts/run.sh starts it: the built dll, <c>--urls</c>, keys from configuration.</summary>
public sealed class StandaloneTests
{
    [Fact]
    public void KeysFromConfigurationReplaceTheDefaultPair()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulator:Keys:0:ApiKeyId"] = "k0",
            ["Simulator:Keys:0:SecretApiKey"] = "s0",
            ["Simulator:Keys:1:ApiKeyId"] = "k1",
            ["Simulator:Keys:1:SecretApiKey"] = "s1",
            ["Simulator:MaxClockSkew"] = "00:01:00",
        }).Build();

        var options = SimulatorApplication.ReadOptions(configuration);

        Assert.Equal(new Dictionary<string, string> { ["k0"] = "s0", ["k1"] = "s1" }, options.Keys);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxClockSkew);
    }

    [Fact]
    public void NoKeysConfiguredKeepsTheDefaultPair()
    {
        var options = SimulatorApplication.ReadOptions(new ConfigurationBuilder().Build());

        Assert.Equal(SimulatorHost.DefaultSecretApiKey, Assert.Single(options.Keys, k => k.Key == SimulatorHost.DefaultApiKeyId).Value);
    }

    [Theory]
    [InlineData("Simulator:Keys:3:ApiKeyId", "k", "Simulator:Keys:3")]
    [InlineData("Simulator:MaxClockSkew", "soon", "Simulator:MaxClockSkew")]
    public void IncompleteSettingsFailNamingTheSetting(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => SimulatorApplication.ReadOptions(configuration));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuiltDllServesSignedCallsWithTheKeysGivenOnTheCommandLine()
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "Connect.Simulator.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--Simulator:Keys:0:ApiKeyId=local-api-key", "--Simulator:Keys:0:SecretApiKey=local-api-secret" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            HttpResponseMessage? response = null;
            for (var attempt = 0; attempt < 100 && response is null; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(http.BaseAddress, "v1/1234/services/testconnection"));
                TestSigner.Sign(request, "local-api-key", "local-api-secret", DateTimeOffset.UtcNow);
                try
                {
                    response = await http.SendAsync(request);
                }
                catch (HttpRequestException)
                {
                    Assert.False(process.HasExited, "simulator exited: " + string.Join('\n', output));
                    await Task.Delay(100);
                }
            }

            Assert.NotNull(response);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();

            using var defaultKey = new HttpRequestMessage(HttpMethod.Get, new Uri(http.BaseAddress, "v1/1234/services/testconnection"));
            TestSigner.Sign(defaultKey, SimulatorHost.DefaultApiKeyId, SimulatorHost.DefaultSecretApiKey, DateTimeOffset.UtcNow);
            using var refused = await http.SendAsync(defaultKey);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.Contains(output, line => line.Contains("GET /v1/1234/services/testconnection -> 200: test connection", StringComparison.Ordinal));
        Assert.DoesNotContain(output, line => line.Contains("local-api-secret", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
