using System.Diagnostics;
using Connect.Simulator;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>How tests start tests/ConnectEvents.CrashHarness: where it is built, the settings it always needs, and its process.</summary>
public static class CrashHarness
{
    /// <summary>Where the harness is built, in the configuration of the running tests.</summary>
    public static string Dll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            return Path.Combine(RepositoryPaths.Root, "tests", "ConnectEvents.CrashHarness", "bin", configuration, "net10.0", "ConnectEvents.CrashHarness.dll");
        }
    }

    /// <summary>The app settings of a harness on <paramref name="storage"/>'s queue and table, against <paramref name="simulator"/>; callers add the rest.</summary>
    public static Dictionary<string, string> Settings(string storage, SimulatorHost simulator, string queueName, string eventsTable) => new()
    {
        ["AzureWebJobsStorage"] = storage,
        ["Webhooks__SecretKeys__0__KeyId"] = "crash-key",
        ["Webhooks__SecretKeys__0__Secret"] = "crash-secret-71c2",
        ["Events__QueueName"] = queueName,
        ["Processing__Store__TableName"] = eventsTable,
        ["TokenVault__TableName"] = "tv" + Guid.NewGuid().ToString("N")[..16],
        ["Connect__Endpoint"] = simulator.BaseAddress.ToString(),
        ["Connect__ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
        ["Connect__SecretApiKey"] = SimulatorHost.DefaultSecretApiKey,
        ["AzureFunctionsJobHost__functionTimeout"] = "00:00:05",
        ["Processing__LeaseDuration"] = "00:00:06",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>A harness process with <paramref name="settings"/> as its environment and its output redirected.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetTempPath(), UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Dll);
        foreach (var (key, value) in settings)
        {
            psi.Environment[key] = value;
        }

        return psi;
    }
}
