using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Packaging;

/// <summary>
/// The deployable zip, built once per test run: <c>CONNECT_EVENTS_PACKAGE</c> names a prebuilt one (scripts/test.sh
/// builds it before the tests so CI shows the publish time on its own line); otherwise scripts/package.sh is run
/// here (self-contained ReadyToRun publish: about a minute on two cores). Extracted once into a temporary folder.
/// </summary>
public sealed class DeployablePackage : IAsyncLifetime
{
    /// <summary>The environment variable naming a prebuilt package.</summary>
    public const string PackageVariable = "CONNECT_EVENTS_PACKAGE";

    private string? _temp;

    /// <summary>The zip file.</summary>
    public string ZipPath { get; private set; } = "";

    /// <summary>Where it was extracted.</summary>
    public string ExtractedTo { get; private set; } = "";

    /// <summary>host.json's customHandler.description.defaultExecutablePath.</summary>
    public string ExecutableName { get; private set; } = "";

    /// <summary>How the package was obtained (for failure messages).</summary>
    public string Origin { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _temp = Directory.CreateTempSubdirectory("connect-events-package-").FullName;
        var prebuilt = Environment.GetEnvironmentVariable(PackageVariable);
        if (!string.IsNullOrEmpty(prebuilt))
        {
            ZipPath = Path.GetFullPath(prebuilt, RepositoryPaths.Root); // relative paths are from the repository root
            Origin = $"{PackageVariable}={prebuilt}";
            if (!File.Exists(ZipPath))
            {
                throw new FileNotFoundException($"{PackageVariable} names '{ZipPath}', which does not exist.");
            }
        }
        else
        {
            ZipPath = Path.Combine(_temp, "connect-events.zip");
            Origin = "scripts/package.sh run by the test";
            await RunPackageScriptAsync(ZipPath);
        }

        using (var host = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Root, "host.json"))))
        {
            ExecutableName = host.RootElement.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;
        }

        ExtractedTo = Path.Combine(_temp, "app");
        ZipFile.ExtractToDirectory(ZipPath, ExtractedTo);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        if (_temp is not null && Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static async Task RunPackageScriptAsync(string output)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = RepositoryPaths.Root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("scripts/package.sh");
        psi.ArgumentList.Add("--out");
        psi.ArgumentList.Add(output);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/package.sh failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }
}

/// <summary>Tests sharing one built package.</summary>
[CollectionDefinition(Name)]
public sealed class DeployablePackageCollectionDefinition : ICollectionFixture<DeployablePackage>, ICollectionFixture<AzuriteFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "DeployablePackage";
}
