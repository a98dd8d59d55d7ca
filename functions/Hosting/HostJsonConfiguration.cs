using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace ConnectEvents.Functions.Hosting;

/// <summary>
/// Makes host.json readable as configuration under <c>AzureFunctionsJobHost</c>, the way the Functions host reads it, so
/// that <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> and the like override it as they do in Azure.
/// </summary>
public static class HostJsonConfiguration
{
    /// <summary>The configuration section host.json is read into.</summary>
    public const string SectionName = "AzureFunctionsJobHost";

    /// <summary>host.json beside the executable (where the build and the deployment package put it).</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "host.json");

    /// <summary>
    /// Adds host.json at <paramref name="path"/> as the lowest-ranked source, so settings and environment variables win.
    /// A missing file adds nothing.
    /// </summary>
    public static IConfigurationBuilder AddHostJson(this IConfigurationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!File.Exists(path))
        {
            return builder;
        }

        var values = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build()
            .AsEnumerable()
            .Where(pair => pair.Value is not null)
            .Select(pair => new KeyValuePair<string, string?>(SectionName + ConfigurationPath.KeyDelimiter + pair.Key, pair.Value));
        builder.Sources.Insert(0, new MemoryConfigurationSource { InitialData = values.ToList() });
        return builder;
    }
}
