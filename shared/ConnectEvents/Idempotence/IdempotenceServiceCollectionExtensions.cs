using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Idempotence;

/// <summary>Registers the processed-event store on Table storage.</summary>
public static class IdempotenceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IProcessedEventStore"/> (table from <c>Processing:Store:TableName</c>, default <c>processedevents</c>) over the
    /// <c>AzureWebJobsStorage</c> account, plus <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    public static IServiceCollection AddProcessedEventStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProcessedEventStoreOptions>()
            .Bind(configuration.GetSection(ProcessedEventStoreOptions.SectionName))
            .Validate(o => StorageNames.IsTableName(o.TableName), "Processing__Store__TableName must be 3-63 letters and digits, starting with a letter.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(configuration);
        services.TryAddSingleton<IProcessedEventStore>(sp => new TableProcessedEventStore(
            sp.GetRequiredService<StorageClients>().Table(sp.GetRequiredService<IOptions<ProcessedEventStoreOptions>>().Value.TableName),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
