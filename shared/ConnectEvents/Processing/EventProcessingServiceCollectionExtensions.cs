using ConnectEvents.ConnectApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConnectEvents.Processing;

/// <summary>Registers event processing: policy options, the Connect client, the Table stores, the processor and the queue-trigger adapter.</summary>
public static class EventProcessingServiceCollectionExtensions
{
    /// <summary>The host.json setting (as configuration key) that decides how many deliveries a queue message gets.</summary>
    public const string MaxDequeueCountKey = "AzureFunctionsJobHost:extensions:queues:maxDequeueCount";

    /// <summary>Adds the processor and <see cref="QueueDelivery"/>, which the queue-triggered function calls.</summary>
    public static IServiceCollection AddEventProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .Validate(o => o.LeaseDuration > TimeSpan.Zero, "Processing__LeaseDuration must be positive.")
            .PostConfigure(o =>
            {
                // host.json's queues.maxDequeueCount is what the trigger enforces; the processor must count the same.
                if (int.TryParse(configuration[MaxDequeueCountKey], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hostValue))
                {
                    o.MaxDequeueCount = hostValue;
                }
            })
            .Validate(o => o.MaxDequeueCount >= 1, "host.json extensions.queues.maxDequeueCount (or Processing__MaxDequeueCount) must be at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddConnectClient(configuration);
        services.AddProcessingStores(configuration);
        services.TryAddSingleton<EventProcessor>();
        services.TryAddSingleton<QueueDelivery>();

        return services;
    }
}
