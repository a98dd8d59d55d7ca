using System.Diagnostics.Tracing;
using Azure.Core.Diagnostics;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConnectEvents.DevHost;

/// <summary>
/// Forwards the Azure SDK's event sources to the log at Warning and above only. The WebJobs Storage extension registers
/// Microsoft.Extensions.Azure's log forwarder, which listens to every <c>Azure-*</c> event source at Verbose: every Storage,
/// Table and Service Bus request of this process then formats its headers into an event that the log filter
/// (<c>Azure.Core</c>: Error) throws away. Profiled under <c>load floor</c>, that was about a tenth of the dev host's
/// allocations per event. The isolated worker has no such listener (the Functions host's lives in the host process), so
/// the dev host now costs what the worker does.
/// </summary>
internal sealed class AzureSdkWarnings : IHostedService, IDisposable
{
    private readonly AzureEventSourceListener _listener;

    private AzureSdkWarnings(ILoggerFactory loggers)
    {
        var categories = new System.Collections.Concurrent.ConcurrentDictionary<string, ILogger>(StringComparer.Ordinal);
        _listener = new AzureEventSourceListener(
            (e, message) =>
            {
                var logger = categories.GetOrAdd(e.EventSource.Name, name => loggers.CreateLogger(name.Replace('-', '.')));
                logger.Log(e.Level switch { EventLevel.Critical => LogLevel.Critical, EventLevel.Error => LogLevel.Error, _ => LogLevel.Warning },
                    new EventId(e.EventId, e.EventName), message);
            },
            EventLevel.Warning);
    }

    /// <summary>
    /// Replaces the extension's Verbose forwarder with one that never listens (it is started and stopped here, and its
    /// <c>Start</c> does nothing once it has a listener), and adds this Warning-level forwarder. Call after ConfigureWebJobs.
    /// </summary>
    public static void Register(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton(_ =>
        {
            var silent = new AzureEventSourceLogForwarder(null);
            silent.Start();
            silent.Dispose();
            return silent;
        }));
        // A hosted service so that the host creates it (and so starts listening) as it starts, before the first SDK call.
        services.AddHostedService(provider => new AzureSdkWarnings(provider.GetRequiredService<ILoggerFactory>()));
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
