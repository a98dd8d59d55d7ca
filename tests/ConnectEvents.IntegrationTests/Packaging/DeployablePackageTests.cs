using System.Text.Json;

namespace ConnectEvents.IntegrationTests.Packaging;

/// <summary>
/// The zip the Flex Consumption plan (runtime dotnet-isolated) runs: what the Functions host reads at its root, the
/// host-side queue extension, the app itself, and nothing that belongs to a custom handler or to a developer's machine.
/// </summary>
[Collection(DeployablePackageCollectionDefinition.Name)]
public sealed class DeployablePackageTests(DeployablePackage package)
{
    private const string AppAssembly = "ConnectEvents.Functions";

    private static readonly string[] AppFunctions = ["ApplyRetention", "ConnectWebhook", "CreateClientSession", "CustomerTokens", "Platform3Notification", "ProcessConnectEvent", "ProcessPlatform3Notification"];

    [Fact]
    public void HostJsonAtTheRootConfiguresQueuesAndHasNoCustomHandlerOrExtensionBundle()
    {
        using var host = package.ReadJson("host.json");
        var root = host.RootElement;

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        // The isolated worker brings its extensions in .azurefunctions/; a bundle or a custom handler would replace them.
        Assert.False(root.TryGetProperty("customHandler", out _), "host.json still configures a custom handler");
        Assert.False(root.TryGetProperty("extensionBundle", out _), "host.json still asks for an extension bundle");
        Assert.True(
            root.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("queues", out _),
            "host.json has no extensions.queues section for the queue trigger");
    }

    [Fact]
    public void TheAppsAssembliesArePrecompiledReadyToRunForAColdStart()
    {
        // scripts/package.sh's default: less JIT on the cold instance Worldline's webhook waits for.
        foreach (var name in new[] { AppAssembly + ".dll", "ConnectEvents.dll" })
        {
            var entry = package.Entries.Single(e => e.FullName == name);
            using var copy = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(copy);
            }

            copy.Position = 0;
            using var pe = new System.Reflection.PortableExecutable.PEReader(copy);
            Assert.True(pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0, $"{name} in {package.Origin} has no ReadyToRun code");
        }
    }

    [Fact]
    public void FunctionsMetadataAtTheRootListsExactlyTheAppsFunctions()
    {
        var names = Functions().Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal);

        Assert.Equal(AppFunctions, names);
    }

    [Fact]
    public void ProcessConnectEventIsTriggeredByTheQueueTheInfraConfigures()
    {
        // infra/modules/functionapp.bicep sets Events__QueueName and the identity-based AzureWebJobsStorage__* settings.
        var trigger = Assert.Single(Bindings("ProcessConnectEvent"), b => b.GetProperty("type").GetString() == "queueTrigger");

        Assert.Equal("%Events__QueueName%", trigger.GetProperty("queueName").GetString());
        var connection = trigger.TryGetProperty("connection", out var c) ? c.GetString() : null;
        Assert.True(string.IsNullOrEmpty(connection) || connection == "AzureWebJobsStorage", $"the trigger's connection is '{connection}'");
    }

    [Fact]
    public void ConnectWebhookIsServedOnTheRouteTheInfraPublishes()
    {
        // WEBHOOK_URL (infra) is https://<app>/api/webhooks/connect.
        var trigger = Assert.Single(Bindings("ConnectWebhook"), b => b.GetProperty("type").GetString() == "httpTrigger");

        Assert.Equal("webhooks/connect", trigger.GetProperty("route").GetString());
    }

    [Fact]
    public void WorkerConfigNamesTheAppsEntryAssemblyWhichIsInThePackage()
    {
        using var config = package.ReadJson("worker.config.json");
        var description = config.RootElement.GetProperty("description");

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal($"{AppAssembly}.dll", description.GetProperty("defaultWorkerPath").GetString());
        Assert.Contains($"{AppAssembly}.dll", package.Names);
    }

    [Fact]
    public void AzureFunctionsFolderHoldsTheQueueExtensionTheHostLoads()
    {
        Assert.Contains(".azurefunctions/Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll", package.Names);
        Assert.Contains(".azurefunctions/function.deps.json", package.Names);

        // extensions.json tells the host which startup types to load from where; every hint must be in the zip.
        using var extensions = package.ReadJson("extensions.json");
        var hints = extensions.RootElement.GetProperty("extensions").EnumerateArray()
            .Select(e => e.GetProperty("hintPath").GetString()!)
            .Select(h => h.StartsWith("./", StringComparison.Ordinal) ? h[2..] : h)
            .ToList();
        Assert.Contains(".azurefunctions/Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll", hints);
        Assert.All(hints, h => Assert.Contains(h, package.Names));
    }

    [Fact]
    public void AppAssemblyShipsWithItsDepsAndAFrameworkDependentNet10RuntimeConfig()
    {
        Assert.Contains($"{AppAssembly}.deps.json", package.Names);
        using var config = package.ReadJson($"{AppAssembly}.runtimeconfig.json");
        var options = config.RootElement.GetProperty("runtimeOptions");

        Assert.Equal("net10.0", options.GetProperty("tfm").GetString());
        // The platform's dotnet-isolated 10.0 provides .NET: a self-contained build would list includedFrameworks.
        Assert.False(options.TryGetProperty("includedFrameworks", out _), "the package is self-contained");
        var frameworks = options.TryGetProperty("frameworks", out var many)
            ? many.EnumerateArray().ToList()
            : new List<JsonElement> { options.GetProperty("framework") };
        Assert.Contains(frameworks, f => f.GetProperty("name").GetString() == "Microsoft.NETCore.App" && f.GetProperty("version").GetString()!.StartsWith("10.", StringComparison.Ordinal));
    }

    [Fact]
    public void PackageHasNoFunctionJsonSymbolsOrLocalSettings()
    {
        Assert.DoesNotContain(package.Names, n => Path.GetFileName(n) == "function.json");
        Assert.DoesNotContain(package.Names, n => n.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.DoesNotContain(package.Names, n => Path.GetFileName(n) == "local.settings.json");
    }

    [Fact]
    public void AppSettingsFilesInThePackageCarryNoSecretValues()
    {
        foreach (var name in package.Names.Where(n => Path.GetFileName(n).StartsWith("appsettings", StringComparison.OrdinalIgnoreCase) && n.EndsWith(".json", StringComparison.Ordinal)))
        {
            using var settings = package.ReadJson(name);
            var secrets = SecretSettings(settings.RootElement, "").ToList();
            Assert.True(secrets.Count == 0, $"{name} sets {string.Join(", ", secrets)}");
        }
    }

    [Fact]
    public void EveryEntryKeepsAUnixModeAndExecutablesKeepTheirRunBit()
    {
        foreach (var entry in package.Entries)
        {
            var mode = (entry.ExternalAttributes >> 16) & 0xFFFF;
            Assert.True((mode & 0xF000) == 0x8000 && (mode & 0x100) != 0, $"{entry.FullName} has mode {Convert.ToString(mode, 8)}");
        }

        // The apphost, where the SDK writes one, is not what the host starts (it runs 'dotnet <worker>.dll'), but a
        // package that keeps its run bit keeps them all.
        if (package.Entries.FirstOrDefault(e => e.FullName == AppAssembly) is { } apphost)
        {
            Assert.True(((apphost.ExternalAttributes >> 16) & 0x40) != 0, "the apphost lost its run bit");
        }
    }

    private List<JsonElement> Functions()
    {
        using var metadata = package.ReadJson("functions.metadata");
        return metadata.RootElement.EnumerateArray().Select(f => f.Clone()).ToList();
    }

    private List<JsonElement> Bindings(string function) =>
        [.. Assert.Single(Functions(), f => f.GetProperty("name").GetString() == function).GetProperty("bindings").EnumerateArray()];

    private static readonly string[] SecretWords = ["Secret", "Password", "ConnectionString"];
    private static readonly string[] NotSecretEndings = ["Id", "Prefix", "Name", "Uri", "Container"];
    private static readonly string[] Connections = ["AzureWebJobsStorage", "ServiceBusConnection"];
    private static readonly string[] KeyMarkers = ["AccountKey=", "SharedAccessKey=", "SharedAccessSignature="];

    // Settings whose non-empty value would be a credential (Connect:SecretApiKey, Webhooks:SecretKeys:0:Secret, a
    // connection string), and any value carrying a storage or Service Bus key; key ids, prefixes and URIs are not secret.
    private static IEnumerable<string> SecretSettings(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                var name = path.Length == 0 ? property.Name : $"{path}:{property.Name}";
                var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : "";
                var secretName = (SecretWords.Any(w => property.Name.Contains(w, StringComparison.OrdinalIgnoreCase))
                        && !NotSecretEndings.Any(e => property.Name.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                    || Connections.Contains(property.Name, StringComparer.OrdinalIgnoreCase);
                if ((secretName && value.Length > 0) || KeyMarkers.Any(m => value.Contains(m, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return name;
                }

                foreach (var nested in SecretSettings(property.Value, name))
                {
                    yield return nested;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                foreach (var nested in SecretSettings(item, $"{path}:{i++}"))
                {
                    yield return nested;
                }
            }
        }
    }
}
