using System.Globalization;
using System.Net;

namespace ConnectEvents.Functions.Hosting;

/// <summary>Start-up helpers for running under the Azure Functions host as a custom handler.</summary>
public static class FunctionsHostExtensions
{
    /// <summary>The environment variable the Functions host sets to the loopback port it will call.</summary>
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>
    /// Loads the appsettings.json shipped next to the executable when the working directory has none (the Functions host
    /// and <c>dotnet path/to/app.dll</c> start it elsewhere), ranked like the default one: below environment variables.
    /// </summary>
    public static WebApplicationBuilder UseAppSettingsBesideTheExecutable(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json"))
            || !File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")))
        {
            return builder;
        }

        var sources = builder.Configuration.Sources;
        var index = 0;
        while (index < sources.Count && sources[index] is not Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" })
        {
            index++;
        }

        sources.Insert(index, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
        });
        return builder;
    }

    /// <summary>
    /// In Functions mode (the host set <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>) listen on 127.0.0.1 at that port,
    /// ignoring ASPNETCORE_URLS; otherwise (standalone mode) keep the standard <c>--urls</c> behaviour.
    /// </summary>
    public static WebApplicationBuilder UseFunctionsCustomHandlerPort(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var raw = builder.Configuration[CustomHandlerPortVariable];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return builder;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
        {
            throw new InvalidOperationException($"{CustomHandlerPortVariable} must be a TCP port number, got '{raw}'.");
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        return builder;
    }

    /// <summary>True when the Functions host started this process (as opposed to standalone mode).</summary>
    public static bool IsFunctionsMode(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[CustomHandlerPortVariable]);

    /// <summary>Answers the host's readiness probe (<c>GET /</c>, polled until any response arrives) with 200.</summary>
    public static IEndpointRouteBuilder MapFunctionsHostReadiness(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => Results.Ok());
        return app;
    }
}
