using ConnectEvents.Diagnostics;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Hosting;
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

    private static readonly (string Category, LogLevel Floor)[] RedactedCategories =
    [
        ("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning),
        ("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Information),
        ("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Warning),
    ];

    /// <summary>
    /// Registers webhook ingress, processing, retention, sessions, the metrics export and tracing from
    /// <paramref name="configuration"/> (validated at start-up); <paramref name="configureTracing"/> adds to tracing's
    /// OpenTelemetry builder when tracing is on (the isolated worker joins the Functions host's invocation trace there).
    /// </summary>
    public static IServiceCollection AddConnectEventsFunctions(this IServiceCollection services, IConfiguration configuration, Action<OpenTelemetry.IOpenTelemetryBuilder>? configureTracing = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddConnectWebhooks(configuration);
        services.AddEventProcessing(configuration);
        services.AddPlatform3(configuration); // used only when Platform3__Endpoint is set
        services.AddEnabledPlatforms(configuration);
        services.AddRetention(configuration);
        services.AddSingleton<ClientSessionService>();
        services.AddRequestBodyBudget(configuration);
        services.AddConnectEventsMetricsExport(configuration);
        services.AddConnectEventsTracing(configuration, configureTracing);
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
        // Lines that quote the request target, query included, where a function key travels as ?code=: ASP.NET Core's
        // per-request lines (Information) and Kestrel's rejected-request lines (Debug; with Information on for the
        // BadRequests category Kestrel also puts the request line in its exceptions' messages). Held there whatever the
        // settings say: see LogLevelFloor for why one rule would not do.
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            foreach (var (category, floor) in RedactedCategories)
            {
                LogLevelFloor.Apply(options, category, floor);
            }
        });
        return services;
    }
}
