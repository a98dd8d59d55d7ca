using ConnectEvents.ConnectApi;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Processing.Handlers;
using ConnectEvents.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConnectEvents.Processing;

/// <summary>Registers event processing: policy options, the Connect client, the Table stores, the exactly-once processor, one handler per Connect event family that is acted on, and the queue-trigger adapter.</summary>
public static class EventProcessingServiceCollectionExtensions
{
    /// <summary>The host.json setting (as configuration key) that decides how many deliveries a queue message gets.</summary>
    public const string MaxDequeueCountKey = "AzureFunctionsJobHost:extensions:queues:maxDequeueCount";

    /// <summary>host.json's delay before a failed queue message is delivered again, as configuration key.</summary>
    public const string VisibilityTimeoutKey = "AzureFunctionsJobHost:extensions:queues:visibilityTimeout";

    /// <summary>host.json's function timeout, as configuration key.</summary>
    public const string FunctionTimeoutKey = "AzureFunctionsJobHost:functionTimeout";

    /// <summary>The margin a derived lease has over the function timeout.</summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Takes the delivery limits from the host's configuration (host.json, overridable by
    /// <c>AzureFunctionsJobHost__…</c> settings), so the processor counts deliveries as the trigger does and holds its
    /// claim for as long as an invocation may run: the lease is the function timeout plus <see cref="LeaseMargin"/>
    /// unless <c>Processing__LeaseDuration</c> is set (validated to be longer).
    /// </summary>
    internal static void ApplyHostLimits(ProcessingOptions options, IConfiguration configuration)
    {
        if (int.TryParse(configuration[MaxDequeueCountKey], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var dequeues))
        {
            options.MaxDequeueCount = dequeues;
        }

        if (TimeSpan.TryParse(configuration[VisibilityTimeoutKey], System.Globalization.CultureInfo.InvariantCulture, out var visibility) && visibility >= TimeSpan.Zero)
        {
            options.RedeliveryDelay = visibility;
        }

        if (TimeSpan.TryParse(configuration[FunctionTimeoutKey], System.Globalization.CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero)
        {
            options.FunctionTimeout = timeout;
        }

        if (string.IsNullOrEmpty(configuration[ProcessingOptions.SectionName + ":" + nameof(ProcessingOptions.LeaseDuration)]))
        {
            options.LeaseDuration = options.FunctionTimeout + LeaseMargin;
        }
    }

    /// <summary>Adds the exactly-once processor, Connect's <see cref="ConnectEventPipeline"/> and <see cref="QueueDelivery"/>, which the queue-triggered functions call.</summary>
    public static IServiceCollection AddEventProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .PostConfigure(o => ApplyHostLimits(o, configuration))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddConnectClient(configuration);
        services.AddProcessedEventStore(configuration).AddTokenVault(configuration);
        services.AddValidatedOptions<EventsOptions>(configuration, EventsOptions.SectionName);
        services.TryAddSingleton<QueueSenders>();
        services.TryAddSingleton<IDeliveryDeferral, QueueDeliveryDeferral>();
        services.TryAddSingleton<ExactlyOnceProcessor>();
        // Refunds, payouts and disputes have no handler: the router records them as no-action, which is all they need.
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Singleton<IConnectFamilyHandler, PaymentHandler>(),
            ServiceDescriptor.Singleton<IConnectFamilyHandler, TokenHandler>(),
        ]);
        services.TryAddSingleton<ConnectEventHandlers>();
        services.TryAddSingleton<ConnectEventPipeline>();
        services.TryAddSingleton<QueueDelivery>();

        return services;
    }
}
