using System.Text.Json;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace ConnectEvents.DevHost;

/// <summary>
/// Reads <c>local.settings.json</c>, the file <c>func start</c> reads, so one file configures both hosts: its
/// <c>Values</c> become settings (<c>__</c> separates sections, as in environment variables) and
/// <c>Host.LocalHttpPort</c> the port when no <c>--urls</c> is given. Looked for in <c>functions/</c> and then in the
/// current directory (the nearer file wins); environment variables and the command line override both.
/// </summary>
internal sealed class LocalSettings
{
    /// <summary>The file name Core Tools reads.</summary>
    public const string FileName = "local.settings.json";

    private LocalSettings(IReadOnlyList<string> files, IReadOnlyDictionary<string, string?> values, int? port, IReadOnlyList<string> problems)
    {
        Files = files;
        Values = values;
        Port = port;
        Problems = problems;
    }

    /// <summary>The files read, in the order applied.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The settings, with configuration keys (<c>:</c> for <c>__</c>).</summary>
    public IReadOnlyDictionary<string, string?> Values { get; }

    /// <summary><c>Host.LocalHttpPort</c>, when a file sets it.</summary>
    public int? Port { get; }

    /// <summary>Files that could not be read, one line each, naming the file.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Reads the files below <paramref name="directory"/> (functions/local.settings.json, then ./local.settings.json).</summary>
    public static LocalSettings Read(string directory)
    {
        var files = new List<string>();
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        int? port = null;
        foreach (var path in new[] { Path.Combine(directory, "functions", FileName), Path.Combine(directory, FileName) })
        {
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                if (document.RootElement.TryGetProperty(nameof(Values), out var section) && section.ValueKind == JsonValueKind.Object)
                {
                    foreach (var setting in section.EnumerateObject())
                    {
                        values[setting.Name.Replace("__", ":", StringComparison.Ordinal)] = setting.Value.ValueKind switch
                        {
                            JsonValueKind.String => setting.Value.GetString(),
                            JsonValueKind.Null => null,
                            _ => setting.Value.GetRawText(),
                        };
                    }
                }

                if (document.RootElement.TryGetProperty("Host", out var host) && host.ValueKind == JsonValueKind.Object
                    && host.TryGetProperty("LocalHttpPort", out var local))
                {
                    port = local.TryGetInt32(out var number) || (local.ValueKind == JsonValueKind.String && int.TryParse(local.GetString(), out number))
                        ? number : throw new FormatException("Host.LocalHttpPort is not a port number");
                }

                files.Add(path);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // The message says where the JSON broke; it never quotes a value.
                problems.Add($"{path}: not readable as local.settings.json ({ex.Message})");
            }
        }

        return new LocalSettings(files, values, port, problems);
    }

    /// <summary>Adds the values below the environment variables (and so below the command line) in <paramref name="configuration"/>.</summary>
    public void AddTo(IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var source = new MemoryConfigurationSource { InitialData = Values };
        var sources = configuration.Sources;
        var environment = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                environment = i;
            }
        }

        if (environment < 0)
        {
            sources.Add(source);
        }
        else
        {
            sources.Insert(environment, source);
        }
    }
}
