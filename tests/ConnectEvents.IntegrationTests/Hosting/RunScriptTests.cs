using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// scripts/run.sh refuses to start when a port it needs is taken, before building or starting anything, with a
/// non-zero exit naming the port and the variable to change (it used to print its banner and exit 0).
/// </summary>
public sealed class RunScriptTests
{
    [Theory]
    [InlineData("APP_PORT")]
    [InlineData("SIM_PORT")]
    [InlineData("QUEUE_PORT")]
    [InlineData("TABLE_PORT")]
    public async Task ATakenPortStopsTheScriptNamingThePortAndTheVariable(string variable)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var ports = FreePorts();
        ports[variable] = port;

        var (exitCode, output) = await RunAsync(ports);

        Assert.Equal(1, exitCode);
        Assert.Contains($"port {port} is taken: set {variable}=", output, StringComparison.Ordinal);
        Assert.DoesNotContain("== building", output, StringComparison.Ordinal);
        Assert.DoesNotContain("is running", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoVariablesOnOnePortAreRefusedByName()
    {
        var ports = FreePorts();
        ports["SIM_PORT"] = ports["APP_PORT"];

        var (exitCode, output) = await RunAsync(ports);

        Assert.Equal(1, exitCode);
        Assert.Contains("SIM_PORT and APP_PORT are both", output, StringComparison.Ordinal);
    }

    private static readonly string[] PortVariables = ["APP_PORT", "SIM_PORT", "BLOB_PORT", "QUEUE_PORT", "TABLE_PORT"];

    private static Dictionary<string, string> FreePorts() =>
        PortVariables.ToDictionary(v => v, _ => FreePort.Next().ToString(CultureInfo.InvariantCulture));

    private static async Task<(int ExitCode, string Output)> RunAsync(Dictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = RepositoryPaths.Root };
        psi.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "run.sh"));
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var run = await BoundedProcess.RunAsync(psi, TimeSpan.FromSeconds(60));
        Assert.False(run.TimedOut, "run.sh went on although a port was taken");
        return (run.ExitCode, run.Stdout + run.Stderr);
    }
}
