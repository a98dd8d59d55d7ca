using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using ConnectEvents.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace ConnectEvents.Diagnostics;

/// <summary>Registers the <c>ConnectEvents</c> meter and where its measurements go: Application Insights in Azure, the log locally.</summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>The setting Azure Functions and Application Insights read for the component's connection string.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The setting that asks for Microsoft Entra authentication: <c>Authorization=AAD</c>, with <c>ClientId=…</c> for a user-assigned identity.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The log category of <see cref="MetricsLogExporter"/>'s lines.</summary>
    public const string LogCategory = "ConnectEvents.Metrics";

    /// <summary>Adds <see cref="ConnectEventsMetrics"/> (the instruments); nothing is exported unless an exporter is added too.</summary>
    public static IServiceCollection AddConnectEventsMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<ConnectEventsMetrics>();
        return services;
    }

    /// <summary>
    /// Adds the instruments and, when <see cref="ConnectionStringSetting"/> is set, exports the meter to that Application
    /// Insights component (the <c>customMetrics</c> table), authenticated with Microsoft Entra ID when
    /// <see cref="AuthenticationStringSetting"/> says <c>Authorization=AAD</c> (a component with local auth off accepts nothing else).
    /// </summary>
    public static IServiceCollection AddConnectEventsMetricsExport(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddConnectEventsMetrics();
        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return services;
        }

        var credential = EntraCredential(configuration[AuthenticationStringSetting]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ConnectEventsMetrics.MeterName)
            .AddAzureMonitorMetricExporter(options => options.ConnectionString = connectionString, credential));
        return services;
    }

    /// <summary>
    /// Writes the meter's measurements to the log (category <see cref="LogCategory"/>) every <paramref name="interval"/>:
    /// what happened in that interval, one line per instrument, nothing when nothing happened.
    /// </summary>
    public static IServiceCollection AddConnectEventsMetricsLog(this IServiceCollection services, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        services.AddConnectEventsMetrics();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ConnectEventsMetrics.MeterName)
            .AddReader(sp => new PeriodicExportingMetricReader(
                new MetricsLogExporter(sp.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory), interval), (int)interval.TotalMilliseconds)
            {
                TemporalityPreference = MetricReaderTemporalityPreference.Delta,
            }));
        return services;
    }

    /// <summary>
    /// The credential an <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> asks for: null (instrumentation-key auth) unless it
    /// says <c>Authorization=AAD</c>; then the user-assigned identity of its <c>ClientId</c>, or the system-assigned one.
    /// </summary>
    internal static TokenCredential? EntraCredential(string? authenticationString)
    {
        string? clientId = null;
        var entra = false;
        foreach (var part in (authenticationString ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = eq > 0 ? (part[..eq].Trim(), part[(eq + 1)..].Trim()) : (part, string.Empty);
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                entra = value.Equals("AAD", StringComparison.OrdinalIgnoreCase);
            }
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
            {
                clientId = value;
            }
        }

        return entra ? AzureCredentials.Create(clientId, AzureCredentials.ManagedIdentity) : null;
    }
}
