namespace ConnectEvents.DevHost;

/// <summary>
/// Starts a hosted service on the thread pool, so that the host goes on to Kestrel (always the last to start) at once
/// instead of after it: the WebJobs host's start, about 100 ms of mostly synchronous indexing and listener set-up,
/// otherwise sits between a cold process and its first HTTP answer. Stopping waits for the start to end first.
/// </summary>
internal sealed class BackgroundStart(IHostedService inner) : IHostedService
{
    /// <summary>The WebJobs host's hosted service (internal to the WebJobs SDK, so named, not referenced).</summary>
    public const string WebJobsHost = "Microsoft.Azure.WebJobs.Hosting.JobHostService";

    private Task _started = Task.CompletedTask;

    /// <summary>Replaces the registration of the hosted service whose implementation type is <paramref name="typeName"/> with this wrapper; false when there is none.</summary>
    public static bool Wrap(IServiceCollection services, string typeName)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType == typeof(IHostedService) && descriptor.ImplementationType?.FullName == typeName)
            {
                var type = descriptor.ImplementationType;
                services[i] = ServiceDescriptor.Singleton<IHostedService>(sp => new BackgroundStart((IHostedService)ActivatorUtilities.CreateInstance(sp, type)));
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = Task.Run(() => inner.StartAsync(cancellationToken), CancellationToken.None);
        // A failed start still fails the host's start, which awaits every hosted service's start.
        return _started;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _started.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await inner.StopAsync(cancellationToken);
    }
}
