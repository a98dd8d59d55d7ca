using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConnectEvents.DevHost;
using ConnectEvents.Functions;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using ConnectEvents.Webhooks;

namespace ConnectEvents.UnitTests.Docs;

/// <summary>
/// Holds docs/configuration.md to the code, both ways: every setting an options class binds is in a table of the doc,
/// and every setting a table names is bound by an options class, read directly from configuration (each listed below
/// with the source text that proves it is read), a host.json key, or a platform setting the deployment sets.
/// </summary>
public sealed partial class ConfigurationDocTests
{
    private const string DocPath = "docs/configuration.md";

    /// <summary>Settings the code reads straight from IConfiguration, each with text that must occur in the code that reads it.</summary>
    private static readonly (string Setting, string ReadBy)[] DirectSettings =
    [
        (StorageClients.ConnectionName, "\"" + StorageClients.ConnectionName + "\""),
        (StorageClients.ConnectionName + "__accountName", "\"accountName\""),
        (StorageClients.ConnectionName + "__queueServiceUri", "\"queueServiceUri\""),
        (StorageClients.ConnectionName + "__tableServiceUri", "\"tableServiceUri\""),
        (StorageClients.ConnectionName + "__blobServiceUri", "\"blobServiceUri\""),
        (StorageClients.ConnectionName + "__clientId", "\"clientId\""),
        (StorageClients.ConnectionName + "__credential", "\"credential\""),
        (ServiceBusClientFactory.ConnectionName, "\"" + ServiceBusClientFactory.ConnectionName + "\""),
        (ServiceBusClientFactory.ConnectionName + "__fullyQualifiedNamespace", "\"fullyQualifiedNamespace\""),
        (ServiceBusClientFactory.ConnectionName + "__clientId", "\"clientId\""),
        (ServiceBusClientFactory.ConnectionName + "__credential", "\"credential\""),
        ("Webhooks__KeyVault__clientId", "\"clientId\""),
        ("Webhooks__KeyVault__credential", "\"credential\""),
        ("AzureWebJobs.ProcessConnectEvent.Disabled", "AzureWebJobs.{function}.Disabled"),
        ("AzureWebJobs.ProcessPlatform3Notification.Disabled", "AzureWebJobs.{function}.Disabled"),
        ("DevHost__ReportRuntime", "\"DevHost:ReportRuntime\""),
        ("Logging__LogLevel__<category>", "\"LogLevel\""),
        ("DevHost__Metrics", "\"DevHost:Metrics\""),
        ("DevHost__MetricsInterval", "\"DevHost:MetricsInterval\""),
        (ConnectEvents.Diagnostics.TracingServiceCollectionExtensions.OtlpEndpointSetting, "\"OTEL_EXPORTER_OTLP_ENDPOINT\""),
        ("OTEL_SERVICE_NAME", "\"OTEL_SERVICE_NAME\""),
    ];

    /// <summary>Settings only the platform reads (the Functions host, Azure.Identity); the deployment or the local sample must set them.</summary>
    private static readonly string[] PlatformSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "AZURE_CLIENT_ID",
    ];

    private const string HostJsonPrefix = "AzureFunctionsJobHost__";

    [Fact]
    public void EverySettingTheOptionsClassesBindIsDocumented()
    {
        var documented = DocumentedSettings();
        var missing = OptionsSettings().Keys.Where(s => !documented.Contains(s)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{DocPath} does not document these settings (add a table row for each): {string.Join(", ", missing)}");
    }

    [Fact]
    public void EverySettingReadDirectlyAndEveryHostJsonKeyIsDocumented()
    {
        var documented = DocumentedSettings();
        var expected = DirectSettings.Select(d => d.Setting).Concat(HostJsonSettings()).Concat(PlatformSettings);
        var missing = expected.Where(s => !documented.Contains(s)).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{DocPath} does not document these settings: {string.Join(", ", missing)}");
    }

    [Fact]
    public void EverySettingInTheLocalSampleIsDocumented()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")));
        var documented = DocumentedSettings();
        var missing = sample.RootElement.GetProperty("Values").EnumerateObject()
            .Select(p => ListIndex().Replace(p.Name, "__<n>"))
            .Where(s => !documented.Contains(s)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"local.settings.sample.json sets settings {DocPath} does not document: {string.Join(", ", missing)}");
    }

    [Fact]
    public void EverySettingTheDocNamesExistsInTheCode()
    {
        var known = new HashSet<string>(OptionsSettings().Keys, StringComparer.Ordinal);
        known.UnionWith(DirectSettings.Select(d => d.Setting));
        known.UnionWith(HostJsonSettings());
        known.UnionWith(PlatformSettings);
        var extra = DocumentedSettings().Where(s => !known.Contains(s)).Order(StringComparer.Ordinal).ToList();
        Assert.True(extra.Count == 0, $"{DocPath} names settings nothing reads (remove them, or fix the name): {string.Join(", ", extra)}");
    }

    [Fact]
    public void EachSettingReadDirectlyIsReallyReadByTheCode()
    {
        var code = string.Join('\n', CodeFiles().Select(File.ReadAllText));
        var unread = DirectSettings.Where(d => !code.Contains(d.ReadBy, StringComparison.Ordinal))
            .Select(d => $"{d.Setting} (no {d.ReadBy} in shared/, functions/ or tools/)").ToList();
        Assert.True(unread.Count == 0, "Listed as read from configuration, but nothing reads them: " + string.Join(", ", unread));
    }

    [Fact]
    public void EachPlatformSettingIsSetByTheDeploymentOrTheLocalSample()
    {
        var deployment = string.Join('\n', Directory.EnumerateFiles(Path.Combine(Root, "infra"), "*.bicep", SearchOption.AllDirectories)
            .Append(Path.Combine(Root, "local.settings.sample.json")).Select(File.ReadAllText));
        var unset = PlatformSettings.Where(s => !deployment.Contains(s, StringComparison.Ordinal)).ToList();
        Assert.True(unset.Count == 0, "Platform settings neither infra/ nor local.settings.sample.json sets: " + string.Join(", ", unset));
    }

    [Fact]
    public void EveryOptionsClassIsBoundUnderASection()
    {
        var reached = new HashSet<Type>();
        _ = OptionsSettings(reached);
        var unbound = OptionsAssemblies.SelectMany(LoadableTypes)
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.Name.EndsWith("Options", StringComparison.Ordinal) && !reached.Contains(t))
            .Select(t => t.FullName).ToList();
        Assert.True(unbound.Count == 0,
            "Options classes with no SectionName that no section reaches, so this test cannot check their settings: " + string.Join(", ", unbound));
    }

    [Fact]
    public void TheOptionsClassesAreFound()
    {
        // Guards the reflection itself: if it found nothing, every other test here would pass vacuously.
        var settings = OptionsSettings();
        Assert.Contains("Webhooks__SecretKeys__<n>__KeyId", settings.Keys);
        Assert.Contains("Processing__Store__TableName", settings.Keys);
        Assert.Contains("Processing__Tokenize__Statuses__<n>", settings.Keys);
        Assert.Contains("DevHost__MasterKey", settings.Keys);
        Assert.DoesNotContain("Processing__MaxDequeueCount", settings.Keys);
        Assert.True(DocumentedSettings().Count > 40, $"only {DocumentedSettings().Count} settings parsed from {DocPath}");
    }

    private static readonly Assembly[] OptionsAssemblies =
        [typeof(WebhookOptions).Assembly, typeof(FunctionServices).Assembly, typeof(DevHostKeys).Assembly];

    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Events.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No Events.sln above " + AppContext.BaseDirectory);
    });

    private static string Root => LazyRoot.Value;

    /// <summary>
    /// Every setting the options classes bind, as app settings (<c>Section__Property</c>, <c>__&lt;n&gt;</c> for a list
    /// index, <c>__&lt;key&gt;</c> for a dictionary key), mapped to the class that declares it.
    /// </summary>
    private static Dictionary<string, Type> OptionsSettings(HashSet<Type>? reached = null)
    {
        reached ??= [];
        var settings = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in OptionsAssemblies.SelectMany(LoadableTypes).Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string section)
            {
                AddSettings(section.Replace(":", "__", StringComparison.Ordinal), type, settings, reached, depth: 0);
            }
        }

        return settings;
    }

    private static void AddSettings(string prefix, Type type, Dictionary<string, Type> settings, HashSet<Type> reached, int depth)
    {
        Assert.True(depth < 8, $"options nested too deep at {prefix}");
        reached.Add(type);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true })
            {
                continue;
            }

            var name = prefix + "__" + property.Name;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsLeaf(propertyType))
            {
                // The binder sets leaves only through a public setter; internal ones are filled from elsewhere (host.json).
                if (property.SetMethod is { IsPublic: true })
                {
                    settings[name] = type;
                }
            }
            else
            {
                // Collections and nested objects are filled in place by the binder even without a setter.
                AddValue(name, propertyType, type, settings, reached, depth);
            }
        }
    }

    private static void AddValue(string name, Type valueType, Type declaringType, Dictionary<string, Type> settings, HashSet<Type> reached, int depth)
    {
        valueType = Nullable.GetUnderlyingType(valueType) ?? valueType;
        if (IsLeaf(valueType))
        {
            settings[name] = declaringType;
        }
        else if ((GenericArguments(valueType, typeof(IDictionary<,>)) ?? GenericArguments(valueType, typeof(IReadOnlyDictionary<,>))) is { } pair)
        {
            AddValue(name + "__<key>", pair[1], declaringType, settings, reached, depth + 1);
        }
        else if (valueType.IsArray || GenericArguments(valueType, typeof(IEnumerable<>)) is not null)
        {
            var element = valueType.IsArray ? valueType.GetElementType()! : GenericArguments(valueType, typeof(IEnumerable<>))![0];
            AddValue(name + "__<n>", element, declaringType, settings, reached, depth + 1);
        }
        else
        {
            AddSettings(name, valueType, settings, reached, depth + 1);
        }
    }

    private static Type[]? GenericArguments(Type type, Type openInterface) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() == openInterface ? type : null)?.GetGenericArguments()
        ?? type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface)?.GetGenericArguments();

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }

    /// <summary>host.json's keys as the app settings that override them (<c>AzureFunctionsJobHost__extensions__queues__batchSize</c>); <c>version</c> is not a setting.</summary>
    private static List<string> HostJsonSettings()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "host.json")));
        var settings = new List<string>();
        void Walk(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, path.Length == 0 ? property.Name : path + "__" + property.Name);
                }
            }
            else if (path != "version")
            {
                settings.Add(HostJsonPrefix + path);
            }
        }

        Walk(json.RootElement, "");
        return settings;
    }

    /// <summary>The setting in the first cell of every row of the doc's tables headed <c>| setting |</c>: one backticked name per row.</summary>
    private static HashSet<string> DocumentedSettings()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, DocPath));
        var settings = new HashSet<string>(StringComparer.Ordinal);
        var inTable = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith('|'))
            {
                inTable = false;
                continue;
            }

            var first = line.Split('|', StringSplitOptions.TrimEntries)[1];
            if (!inTable)
            {
                inTable = first == "setting" && i + 1 < lines.Length && lines[i + 1].TrimStart().StartsWith("| -", StringComparison.Ordinal);
                i += inTable ? 1 : 0;
                continue;
            }

            var names = Backticked().Matches(first).Select(m => m.Groups[1].Value).ToList();
            Assert.True(names.Count == 1, $"{DocPath} line {i + 1}: the first cell must name exactly one setting in backticks: {first}");
            Assert.True(settings.Add(names[0]), $"{DocPath} line {i + 1}: {names[0]} is documented twice");
        }

        return settings;
    }

    private static readonly string[] CodeFolders = ["shared", "functions", "tools"];

    private static IEnumerable<string> CodeFiles() =>
        CodeFolders
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(Root, dir), "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [GeneratedRegex("__[0-9]+(?=__|$)")]
    private static partial Regex ListIndex();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
