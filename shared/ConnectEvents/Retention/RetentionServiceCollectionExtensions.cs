using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Retention;

/// <summary>Registers retention: its periods (checked at start-up) and the run over the app's own table and container.</summary>
public static class RetentionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="RetentionRun"/> over the processed-event table (<c>Processing__Store__TableName</c>) and the
    /// quarantine container (<c>Webhooks__QuarantineContainer</c>) of <c>AzureWebJobsStorage</c>, with the periods of
    /// <c>Processing:Retention</c>.
    /// </summary>
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RetentionOptions>(configuration, RetentionOptions.SectionName);
        services.AddValidatedOptions<ProcessedEventStoreOptions>(configuration, ProcessedEventStoreOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(configuration);
        // Its own store objects over the same table and container: retention needs the concrete stores' expiry, whatever
        // the app registers behind the interfaces.
        services.TryAddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<StorageClients>();
            var time = sp.GetRequiredService<TimeProvider>();
            return new RetentionRun(
                new TableProcessedEventStore(storage.Table(sp.GetRequiredService<IOptions<ProcessedEventStoreOptions>>().Value.TableName), time),
                new BlobQuarantineStore(storage.BlobContainer(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.QuarantineContainer), time: time),
                sp.GetRequiredService<IOptionsMonitor<RetentionOptions>>(),
                time,
                sp.GetRequiredService<ILogger<RetentionRun>>());
        });
        return services;
    }
}
