using System.Diagnostics;
using System.Text.Json;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// infra/main.bicep built to ARM JSON once per test run, with the parameter values of infra/main.bicepparam, by the
/// pinned Bicep CLI that scripts/lint-bicep.sh runs (scripts/bicep-cli.sh restores it from NuGet and prints its path).
/// </summary>
public sealed class BicepTemplate : IAsyncLifetime
{
    private JsonDocument? _template;

    /// <summary>The built template (infra/main.bicep as ARM JSON).</summary>
    public JsonElement Template => (_template ?? throw new InvalidOperationException("The template is not built yet.")).RootElement;

    /// <summary>The values infra/main.bicepparam sets, by parameter name.</summary>
    public IReadOnlyDictionary<string, object?> Parameters { get; private set; } = new Dictionary<string, object?>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var bicep = (await RunAsync("bash", "scripts/bicep-cli.sh")).Trim().Split('\n')[^1];
        using var built = JsonDocument.Parse(await RunAsync(bicep, "build-params", "infra/main.bicepparam", "--stdout"));
        _template = JsonDocument.Parse(built.RootElement.GetProperty("templateJson").GetString()!);
        using var parameters = JsonDocument.Parse(built.RootElement.GetProperty("parametersJson").GetString()!);
        Parameters = parameters.RootElement.GetProperty("parameters").EnumerateObject()
            .ToDictionary(p => p.Name, p => ArmTemplate.Literal(p.Value.GetProperty("value")), StringComparer.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        _template?.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<string> RunAsync(string command, params string[] arguments)
    {
        var psi = new ProcessStartInfo(command) { WorkingDirectory = RepositoryPaths.Root };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        var run = await BoundedProcess.RunAsync(psi, TimeSpan.FromMinutes(3));
        // The CLI exits 0 on warnings; scripts/lint-bicep.sh fails on them, so a warning here is a failure too.
        if (run.TimedOut || run.ExitCode != 0 || run.Stderr.Contains("Warning", StringComparison.Ordinal) || run.Stderr.Contains("Error", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({(run.TimedOut ? "killed after 3 minutes" : run.ExitCode)}):\n{run.Stderr}");
        }

        return run.Stdout;
    }
}
