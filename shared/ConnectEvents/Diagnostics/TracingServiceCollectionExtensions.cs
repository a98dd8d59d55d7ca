using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ConnectEvents.Diagnostics;

/// <summary>
/// Registers tracing: our spans (<see cref="ConnectEventsTracing.SourceName"/>), the Azure SDK's (<c>Azure.*</c>: Storage,
/// Tables, Service Bus, Key Vault) and ASP.NET Core's, sampled by <see cref="TracingOptions.SamplingRatio"/>, exported to
/// Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set and to an OTLP backend when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is. With neither, nothing listens and no span is even created.
/// </summary>
public static class TracingServiceCollectionExtensions
{
    /// <summary>The standard OpenTelemetry setting naming the OTLP collector (the exporter reads its other <c>OTEL_EXPORTER_OTLP_*</c> settings itself).</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The service name spans are exported under, unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "connect-events";

    /// <summary>The Azure SDK's switch for its ActivitySource spans (experimental in Azure.Core, off by default).</summary>
    internal const string AzureActivitySourceSwitch = "Azure.Experimental.EnableActivitySource";

    /// <summary>
    /// The Azure SDK clients' sources: one span per SDK call (a claim's Tables write, a queue send, a topic send, a Key
    /// Vault read). Not <c>Azure.Core.Http</c>, the per-request span beneath each: it doubled the SDK's spans and their
    /// cost for the status code and retry count the call's own span mostly has.
    /// </summary>
    internal static readonly string[] AzureSdkSources =
        ["Azure.Storage.*", "Azure.Data.Tables.*", "Azure.Messaging.ServiceBus.*", "Azure.Security.KeyVault.*", "Azure.Identity.*"];

    /// <summary>
    /// Adds tracing as <paramref name="configuration"/> says; <paramref name="configure"/> adds to the same OpenTelemetry
    /// builder (the isolated worker's host defaults). Answers whether spans are recorded.
    /// </summary>
    public static bool AddConnectEventsTracing(this IServiceCollection services, IConfiguration configuration, Action<IOpenTelemetryBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<TracingOptions>(configuration, TracingOptions.SectionName);
        var options = configuration.GetSection(TracingOptions.SectionName).Get<TracingOptions>() ?? new TracingOptions();
        var appInsights = configuration[MetricsServiceCollectionExtensions.ConnectionStringSetting];
        var otlp = configuration[OtlpEndpointSetting];
        if (!options.Enabled || (string.IsNullOrWhiteSpace(appInsights) && string.IsNullOrWhiteSpace(otlp)))
        {
            return false;
        }

        if (options.AzureSdk)
        {
            // Read once by Azure.Core when its first client is built: set before any is.
            AppContext.SetSwitch(AzureActivitySourceSwitch, true);
        }

        var ratio = Math.Clamp(options.SamplingRatio, 0.0, 1.0);
        var builder = services.AddOpenTelemetry();
        builder.ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? ServiceName));
        builder.WithTracing(tracing =>
        {
            tracing
                .SetSampler(new EventTraceSampler(ratio))
                .AddSource(ConnectEventsTracing.SourceName)
                .AddSource(options.AzureSdk ? AzureSdkSources : [])
                // The query string (where a function key travels as ?code=) is redacted by the instrumentation itself.
                .AddAspNetCoreInstrumentation();
            if (!string.IsNullOrWhiteSpace(appInsights))
            {
                var credential = MetricsServiceCollectionExtensions.EntraCredential(configuration[MetricsServiceCollectionExtensions.AuthenticationStringSetting]);
                tracing.AddAzureMonitorTraceExporter(exporter =>
                {
                    exporter.ConnectionString = appInsights;
                    // Sampling is ours (Tracing__SamplingRatio); the exporter keeps what it is given.
                    exporter.SamplingRatio = 1.0F;
                }, credential);
            }

            if (!string.IsNullOrWhiteSpace(otlp))
            {
                tracing.AddOtlpExporter(); // OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS, OTEL_BSP_* from configuration
            }
        });
        configure?.Invoke(builder);
        return true;
    }
}
