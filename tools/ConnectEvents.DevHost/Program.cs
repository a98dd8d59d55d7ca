using ConnectEvents.Diagnostics;
using ConnectEvents.Functions;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Options;

namespace ConnectEvents.DevHost;

/// <summary>
/// Runs the function app's classes locally as the Functions host would: HTTP functions on <c>/api/…</c> with their
/// authorization levels, the queue-triggered function through the WebJobs Storage-queue listener configured from
/// host.json (overridable by <c>AzureFunctionsJobHost__extensions__queues__*</c> settings). Takes <c>--urls</c>.
/// </summary>
public sealed partial class Program
{
    private Program()
    {
    }

    /// <summary>
    /// Starts the dev host and runs until stopped. Missing or invalid settings (all of them, one line each) and a taken
    /// port are reported without a stack trace, with a non-zero exit: 2 for settings, 3 for the port.
    /// </summary>
    public static int Main(string[] args)
    {
        var app = Build(args);
        var problems = StartupCheck.SettingsProblems(app.Services, app.Services.GetRequiredService<LocalSettings>());
        if (problems.Count > 0)
        {
            StartupCheck.Report(Console.Error, problems);
            return StartupCheck.InvalidSettings;
        }

        if (StartupCheck.TakenAddress(app.Configuration[WebHostDefaults.ServerUrlsKey]) is { } taken)
        {
            Console.Error.WriteLine($"The dev host cannot start: port {taken.Port} is taken ({taken.GetLeftPart(UriPartial.Authority)}): stop what holds it or pass --urls http://127.0.0.1:<free port>.");
            return StartupCheck.PortTaken;
        }

        app.Run();
        return 0;
    }

    /// <summary>Builds the dev host from <paramref name="args"/>, environment variables, local.settings.json (see <see cref="LocalSettings"/>), host.json and appsettings.json beside the executable.</summary>
    public static WebApplication Build(string[] args) => Build(args, null);

    /// <summary>Builds the dev host; <paramref name="customize"/> (tests) adds settings and replaces services before the build.</summary>
    internal static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddHostJson(HostJsonConfiguration.DefaultPath);
        var local = LocalSettings.Read(Directory.GetCurrentDirectory());
        local.AddTo(builder.Configuration);
        builder.Services.AddSingleton(local);
        if (local.Port is { } port && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.Configuration[WebHostDefaults.ServerUrlsKey] = $"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        // WebJobs reads its extension options (queues) from <section>:extensions:<name>; the Functions host's section is this one.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new("AzureWebJobsConfigurationSection", HostJsonConfiguration.SectionName)],
        });

        builder.Services.AddConnectEventsFunctions(builder.Configuration);
        builder.Services.AddOptions<DevHostKeys>().Bind(builder.Configuration.GetSection(DevHostKeys.SectionName));
        // Start-up is on the webhook's path when an instance starts from zero: the hosted services (queue creation, the
        // retention timer, the WebJobs host and its listener) start side by side with Kestrel instead of one after another.
        builder.Services.Configure<HostOptions>(host => host.ServicesStartConcurrently = true);
        builder.Services.AddHostedService<QueueCreation>();
        builder.Services.AddHostedService<RetentionTimer>();
        // The request log the dev host offers instead (category Microsoft.AspNetCore.HttpLogging, Information): method,
        // path, status and duration; never the query string, where function keys travel.
        builder.Services.AddHttpLogging(logging => logging.LoggingFields =
            HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration);
        builder.Host.ConfigureWebJobs(webJobs => webJobs.AddAzureStorageQueues());
        AzureSdkWarnings.Register(builder.Services);
        // After ConfigureWebJobs, which has just registered the WebJobs host's hosted service.
        if (!BackgroundStart.Wrap(builder.Services, BackgroundStart.WebJobsHost))
        {
            throw new InvalidOperationException($"The WebJobs host registers no {BackgroundStart.WebJobsHost} any more: update BackgroundStart.WebJobsHost.");
        }
        builder.Services.AddSingleton<INameResolver, SettingNameResolver>();
        // host.json's functionTimeout bounds an invocation here too: its token is cancelled when the time is up.
        builder.Services.AddOptions<Microsoft.Azure.WebJobs.Host.JobHostFunctionTimeoutOptions>().Configure<IOptions<Processing.ProcessingOptions>>((timeout, processing) =>
        {
            timeout.Timeout = processing.Value.FunctionTimeout;
            timeout.ThrowOnTimeout = false;
        });
        builder.Services.AddSingleton<ITypeLocator, QueueFunctionTypes>();
        QueueFunctionCheck.Verify();
        customize?.Invoke(builder);
        // DevHost__Metrics=console: the ConnectEvents meter's counts and latencies in the log, every DevHost__MetricsInterval (60 s).
        if (string.Equals(builder.Configuration["DevHost:Metrics"], "console", StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.AddConnectEventsMetricsLog(builder.Configuration.GetValue("DevHost:MetricsInterval", TimeSpan.FromSeconds(60)));
        }

        var app = builder.Build();
        app.UseHttpLogging();
        var routePrefix = app.Configuration[$"{HostJsonConfiguration.SectionName}:extensions:http:routePrefix"] ?? "api";
        app.MapHttpFunctions(routePrefix);
        app.MapRuntimeReport(); // only with DevHost__ReportRuntime=true: load runs read this process's CPU and allocations
        return app;
    }

    /// <summary>
    /// Hands the WebJobs host exactly the dev host's queue functions, unless <c>AzureWebJobs.&lt;name&gt;.Disabled</c>
    /// is true (the setting the Functions host reads to switch a function off); each platform's only while that platform is on.
    /// </summary>
    private sealed class QueueFunctionTypes(IConfiguration configuration) : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes()
        {
            var platforms = EnabledPlatforms.From(configuration);
            return
            [
                .. IsDisabled(Functions.Processing.ProcessConnectEvent.Name) || !platforms.Connect ? [] : new[] { typeof(QueueFunctions) },
                .. IsDisabled(Functions.Processing.ProcessPlatform3Notification.Name) || !platforms.V3 ? [] : new[] { typeof(Platform3QueueFunctions) },
            ];
        }

        private bool IsDisabled(string function) =>
            (configuration[$"AzureWebJobs.{function}.Disabled"] ?? configuration[$"AzureWebJobs:{function}:Disabled"]) is { } value
            && (value == "1" || bool.TryParse(value, out var disabled) && disabled);
    }

    /// <summary>
    /// Creates the events queue and its poison queue as the host starts, so the listener does not poll a missing queue
    /// for long (the host's listener warns 404 on every poll until both exist). Storage that cannot be reached at start is a
    /// warning, not a stop: the listener keeps polling and the webhook answers 503 until it is back.
    /// </summary>
    private sealed partial class QueueCreation(
        StorageClients storage, EnabledPlatforms platforms, IOptions<EventsOptions> events, IOptions<Platform3.Platform3Options> v3, ILogger<QueueCreation> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            // Off the start path: the first request need not wait for it, since a send to a queue not yet created creates it
            // (QueueSender), and the listener's first poll comes after its own start.
            await Task.Yield();
            var names = new List<string> { events.Value.QueueName };
            if (platforms.V3)
            {
                names.Add(v3.Value.QueueName);
            }

            foreach (var queue in names.SelectMany(name => new[] { name, name + "-poison" }))
            {
                var client = storage.Queue(queue);
                try
                {
                    await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is Azure.RequestFailedException or AggregateException or HttpRequestException)
                {
                    LogCreateFailed(logger, queue, StorageFailureText.Describe(ex, client.Uri));
                }
            }
        }

        [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Queue {Queue} could not be created at start ({Reason}); the listener keeps trying")]
        private static partial void LogCreateFailed(ILogger logger, string queue, string reason);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
