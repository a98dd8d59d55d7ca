using Microsoft.Azure.WebJobs;

namespace ConnectEvents.DevHost;

/// <summary>
/// Resolves <c>%Events__QueueName%</c> in trigger attributes as the Functions host resolves app settings: the double
/// underscore is the section separator, so the setting is found whether it came from an environment variable
/// (<c>Events__QueueName</c>), a command-line switch or a JSON file (<c>Events:QueueName</c>).
/// </summary>
/// <param name="configuration">The dev host's configuration.</param>
public sealed class SettingNameResolver(IConfiguration configuration) : INameResolver
{
    /// <inheritdoc />
    public string? Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return configuration[name] ?? configuration[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)];
    }
}
