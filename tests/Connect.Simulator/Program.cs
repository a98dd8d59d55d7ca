namespace Connect.Simulator;

/// <summary>Entry point of the Connect simulator when run on its own (<c>dotnet Connect.Simulator.dll --urls http://127.0.0.1:7072</c>).</summary>
public static partial class SimulatorProgram
{
    /// <summary>Starts the simulator and blocks until it is stopped.</summary>
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            // Loopback only unless told otherwise.
            builder.WebHost.UseUrls("http://127.0.0.1:7072");
        }

        // One line per API call from the simulator itself; ASP.NET Core's own per-request lines would drown it.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var options = SimulatorApplication.ReadOptions(builder.Configuration);
        var app = SimulatorApplication.Build(builder, options, new SimulatorState(options.TimeProvider));
        var logger = app.Logger;
        var keyIds = string.Join(", ", options.Keys.Keys);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = string.Join(", ", app.Urls);
            LogStarted(logger, urls, keyIds);
        });
        app.Run();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connect simulator on {Urls}; accepted API key ids: {KeyIds}; admin: GET /admin/requests, POST /admin/payments, /admin/tokens, /admin/faults, /admin/reset")]
    private static partial void LogStarted(ILogger logger, string urls, string keyIds);
}
