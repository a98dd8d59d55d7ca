using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Packaging;

/// <summary>
/// The deployable zip, obtained once per test run: <c>CONNECT_EVENTS_PACKAGE</c> names a prebuilt one (scripts/test.sh
/// builds it before the tests so CI shows the publish time on its own line); otherwise scripts/package.sh is run here
/// into a temporary folder. The tests read the zip itself, as the Flex Consumption plan receives it.
/// </summary>
public sealed class DeployablePackage : IAsyncLifetime
{
    /// <summary>The environment variable naming a prebuilt package.</summary>
    public const string PackageVariable = "CONNECT_EVENTS_PACKAGE";

    private string? _temp;
    private ZipArchive? _zip;

    /// <summary>The zip file.</summary>
    public string ZipPath { get; private set; } = "";

    /// <summary>How the package was obtained (for failure messages).</summary>
    public string Origin { get; private set; } = "";

    /// <summary>Every entry's full name, '/'-separated as in the zip.</summary>
    public IReadOnlySet<string> Names { get; private set; } = new HashSet<string>();

    /// <summary>The zip's entries.</summary>
    public IReadOnlyCollection<ZipArchiveEntry> Entries => Zip.Entries;

    private ZipArchive Zip => _zip ?? throw new InvalidOperationException("The package is not loaded yet.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
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
            _temp = Directory.CreateTempSubdirectory("connect-events-package-").FullName;
            ZipPath = Path.Combine(_temp, "connect-events.zip");
            Origin = "scripts/package.sh run by the test";
            await RunPackageScriptAsync(ZipPath);
        }

        _zip = ZipFile.OpenRead(ZipPath);
        Names = _zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Parses a JSON entry of the zip.</summary>
    /// <exception cref="Xunit.Sdk.XunitException">The zip has no such entry.</exception>
    public JsonDocument ReadJson(string name)
    {
        var entry = Zip.GetEntry(name);
        Assert.True(entry is not null, $"no '{name}' in the package ({Origin})");
        using var stream = entry.Open();
        return JsonDocument.Parse(stream);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        _zip?.Dispose();
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
public sealed class DeployablePackageCollectionDefinition : ICollectionFixture<DeployablePackage>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "DeployablePackage";
}
