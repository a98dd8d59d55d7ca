using ConnectEvents.Diagnostics;
using ConnectEvents.Platform3;
using ConnectEvents.Processing;
using ConnectEvents.Retention;
using ConnectEvents.Sessions;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Functions;

/// <summary>The services every function class needs, registered the same way by the worker and by the dev host.</summary>
public static class FunctionServices
{
    private static readonly (string Category, LogLevel Level)[] QuietCategories =
    [
        ("Azure.Core", LogLevel.Error), ("Azure.Messaging.ServiceBus", LogLevel.Warning), ("System.Net.Http.HttpClient", LogLevel.Warning), ("Polly", LogLevel.Warning),
    ];

    /// <summary>Registers webhook ingress, processing, retention, sessions and the metrics export from <paramref name="configuration"/> (validated at start-up).</summary>
    public static IServiceCollection AddConnectEventsFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddConnectWebhooks(configuration);
        services.AddEventProcessing(configuration);
        services.AddPlatform3(configuration); // used only when Platform3__Endpoint is set
        services.AddEnabledPlatforms(configuration);
        services.AddRetention(configuration);
        services.AddSingleton<ClientSessionService>();
        services.AddConnectEventsMetricsExport(configuration);
        // Per-call noise from the SDKs and the HTTP client; our own handlers log what matters, obfuscated. Azure.Core logs
        // every non-2xx answer at Warning, including the 409s and 404s the stores expect (a duplicate's claim, create-if-missing).
        // Defaults only: a Logging__LogLevel__<category> setting still decides (a rule added here would outrank it).
        services.AddLogging(logging =>
        {
            foreach (var (category, level) in QuietCategories)
            {
                if (configuration[$"Logging:LogLevel:{category}"] is null)
                {
                    logging.AddFilter(category, level);
                }
            }
        });
        // ASP.NET Core's per-request lines carry the full URL, query included: a function key sent as ?code= would be
        // logged. Kept at Warning whatever the settings say: a post-configured rule comes after (and so outranks) theirs.
        services.PostConfigure<LoggerFilterOptions>(options =>
            options.Rules.Add(new LoggerFilterRule(null, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning, null)));
        return services;
    }
}
