using System.Text.Json;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Platform3;
using ConnectEvents.Storage;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.Cli;

/// <summary>
/// The app's settings as the CLI sees them, by the app's own names: <c>local.settings.json</c>'s <c>Values</c> (or
/// <c>--settings FILE</c>), then environment variables, then <c>--storage</c> (a connection string, or an account name for
/// Entra sign-in), each overriding the one before; <c>__</c> in a name is a section separator, as for the Functions host.
/// </summary>
internal sealed class CliSettings
{
    public const string LocalSettingsFile = "local.settings.json";

    private CliSettings(IConfiguration configuration, string storageSource)
    {
        Configuration = configuration;
        StorageSource = storageSource;
        QueueName = configuration.GetSection(EventsOptions.SectionName).Get<EventsOptions>()?.QueueName ?? new EventsOptions().QueueName;
        TableName = configuration.GetSection(ProcessedEventStoreOptions.SectionName).Get<ProcessedEventStoreOptions>()?.TableName
            ?? TableProcessedEventStore.DefaultTableName;
        Platform3QueueName = configuration[$"{Platform3Options.SectionName}:QueueName"] is { Length: > 0 } v3Queue ? v3Queue : Platform3Options.DefaultQueueName;
        QuarantineContainer = configuration.GetSection(WebhookOptions.SectionName).Get<WebhookOptions>()?.QuarantineContainer
            ?? new WebhookOptions().QuarantineContainer;
    }

    public IConfiguration Configuration { get; }

    /// <summary>Where the storage connection came from, for error messages: "", " from --storage" or " in FILE".</summary>
    public string StorageSource { get; }

    /// <summary>The processing queue (<c>Events__QueueName</c>); its poison queue is this name plus <c>-poison</c>.</summary>
    public string QueueName { get; }

    /// <summary>The v3 platform's notification queue (<c>Platform3__QueueName</c>); its poison queue is this name plus <c>-poison</c>.</summary>
    public string Platform3QueueName { get; }

    /// <summary>The processed-event table (<c>Processing__Store__TableName</c>).</summary>
    public string TableName { get; }

    /// <summary>The quarantine container (<c>Webhooks__QuarantineContainer</c>).</summary>
    public string QuarantineContainer { get; }

    /// <summary>True when storage is reached with a connection string rather than Entra credentials.</summary>
    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(Configuration[StorageClients.ConnectionName]);

    /// <exception cref="UsageException">--settings names a file that does not exist.</exception>
    /// <exception cref="CliFailureException">The settings file is not valid JSON.</exception>
    public static CliSettings Load(CliArgs args, CliEnvironment env)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var sources = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Layer(IEnumerable<KeyValuePair<string, string?>> layer, string source)
        {
            foreach (var (key, value) in layer)
            {
                var name = key.Replace("__", ":", StringComparison.Ordinal);
                values[name] = value;
                sources[name] = source;
            }
        }

        var file = args.Option("--settings") is { } given ? Path.Combine(env.WorkingDirectory, given) : Path.Combine(env.WorkingDirectory, LocalSettingsFile);
        if (File.Exists(file))
        {
            Layer(ReadValues(file), $" in {Path.GetFileName(file)}");
        }
        else if (args.Option("--settings") is not null)
        {
            throw new UsageException($"--settings: no file {file}");
        }

        Layer(env.Variables, "");
        if (args.Option("--storage") is { Length: > 0 } storage)
        {
            // A connection string has key=value pairs; anything else is an account name reached with DefaultAzureCredential.
            var isConnectionString = storage.Contains('=', StringComparison.Ordinal) || storage.StartsWith("UseDevelopmentStorage", StringComparison.OrdinalIgnoreCase);
            foreach (var key in values.Keys.Where(k => k.StartsWith(StorageClients.ConnectionName + ":", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                values.Remove(key);
            }

            Layer([new(StorageClients.ConnectionName, isConnectionString ? storage : "")], " from --storage");
            if (!isConnectionString)
            {
                Layer([new(StorageClients.ConnectionName + ":accountName", storage)], " from --storage");
            }
        }

        var source = sources.FirstOrDefault(s => s.Key.StartsWith(StorageClients.ConnectionName, StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrWhiteSpace(values[s.Key])).Value ?? "";
        return new CliSettings(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), source);
    }

    /// <summary>The setting that gives the endpoint of one storage service, as an operator would write it.</summary>
    public string StorageSetting(string service) =>
        (UsesConnectionString ? StorageClients.ConnectionName
            : Configuration[$"{StorageClients.ConnectionName}:{service}ServiceUri"] is { Length: > 0 } ? $"{StorageClients.ConnectionName}__{service}ServiceUri"
            : $"{StorageClients.ConnectionName}__accountName") + StorageSource;

    private static IEnumerable<KeyValuePair<string, string?>> ReadValues(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("Values", out var section) || section.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            return [.. section.EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name,
                p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText()))];
        }
        catch (JsonException ex)
        {
            throw new CliFailureException($"{file} is not valid JSON (line {ex.LineNumber + 1}): fix it or pass --settings with another file");
        }
    }
}
