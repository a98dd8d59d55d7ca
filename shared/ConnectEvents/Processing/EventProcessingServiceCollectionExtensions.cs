using ConnectEvents.ConnectApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConnectEvents.Processing;

/// <summary>Registers event processing: policy options, the Connect client, the Table stores, the processor and (standalone only) the queue pump.</summary>
public static class EventProcessingServiceCollectionExtensions
{
    /// <summary>Adds the processor; <paramref name="runPump"/> adds the standalone queue pump (never under the Functions host, which has its own trigger).</summary>
    public static IServiceCollection AddEventProcessing(this IServiceCollection services, IConfiguration configuration, bool runPump)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .Validate(o => o.LeaseDuration > TimeSpan.Zero, "Processing__LeaseDuration must be positive.")
            .Validate(o => o.MaxDequeueCount >= 1 && o.MaxDeliveryCount >= 1, "Processing__MaxDequeueCount and Processing__MaxDeliveryCount must be at least 1.")
            .Validate(o => o.Pump.Concurrency is >= 1 and <= 256, "Processing__Pump__Concurrency must be between 1 and 256.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddConnectClient(configuration);
        services.AddProcessingStores(configuration);
        services.TryAddSingleton<EventProcessor>();
        services.TryAddSingleton<ProcessingInvocationHandler>();
        if (runPump)
        {
            services.AddSingleton<QueuePump>();
            services.AddHostedService(sp => sp.GetRequiredService<QueuePump>());
        }

        return services;
    }
}
