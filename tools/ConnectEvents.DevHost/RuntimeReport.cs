using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Runtime;

namespace ConnectEvents.DevHost;

/// <summary>
/// Opt-in diagnostics for load runs (tests/ConnectEvents.Benchmarks, <c>load floor</c>): only when the setting
/// <c>DevHost:ReportRuntime</c> is true (environment variable <c>DevHost__ReportRuntime=true</c>), <c>GET /_devhost/runtime</c>
/// answers, to loopback callers only, this process's allocated bytes, CPU time, GC mode and collection counts as one JSON
/// object. Without the setting the route does not exist. It reports counters only: no settings, no event data.
/// </summary>
internal static class RuntimeReport
{
    /// <summary>The route, outside the functions' <c>/api</c> prefix.</summary>
    public const string Route = "/_devhost/runtime";

    /// <summary>The setting that turns the route on.</summary>
    public const string Setting = "DevHost:ReportRuntime";

    /// <summary>Maps <see cref="Route"/> when <see cref="Setting"/> is true; otherwise does nothing.</summary>
    public static void MapRuntimeReport(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(Setting))
        {
            return;
        }

        app.MapGet(Route, (HttpContext context) => context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            ? Results.Text(Snapshot(), "application/json")
            : Results.NotFound());
    }

    /// <summary>
    /// This process's counters now, as JSON: <c>allocatedBytes</c> (precise, <c>GC.GetTotalAllocatedBytes(true)</c>),
    /// <c>cpuMs</c> (user + system), <c>gcServer</c>, <c>gcLatencyMode</c>, <c>gen0</c>/<c>gen1</c>/<c>gen2</c> collections,
    /// and <c>azureSdkEvents</c>: the most detailed level at which something in the process listens to the Azure SDK's
    /// <c>Azure-Core</c> event source (<c>off</c> when nothing does), since a Verbose listener costs every SDK request.
    /// </summary>
    public static string Snapshot()
    {
        var allocated = GC.GetTotalAllocatedBytes(true);
        var cpu = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        return string.Create(CultureInfo.InvariantCulture,
            $$"""{"allocatedBytes":{{allocated}},"cpuMs":{{cpu:F1}},"gcServer":{{(GCSettings.IsServerGC ? "true" : "false")}},"gcLatencyMode":"{{GCSettings.LatencyMode}}","gen0":{{GC.CollectionCount(0)}},"gen1":{{GC.CollectionCount(1)}},"gen2":{{GC.CollectionCount(2)}},"azureSdkEvents":"{{AzureSdkEventLevel()}}"}""");
    }

    private static string AzureSdkEventLevel()
    {
        var core = System.Diagnostics.Tracing.EventSource.GetSources().FirstOrDefault(s => s.Name == "Azure-Core");
        EventLevel[] levels = [EventLevel.Verbose, EventLevel.Informational, EventLevel.Warning, EventLevel.Error, EventLevel.Critical];
        return core is null ? "off" : levels.Where(l => core.IsEnabled(l, EventKeywords.All)).Select(l => l.ToString()).FirstOrDefault() ?? "off";
    }
}
