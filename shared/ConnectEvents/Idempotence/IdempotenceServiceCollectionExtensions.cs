using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.Idempotence;

/// <summary>Registers the processed-event store on Table storage.</summary>
public static class IdempotenceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IProcessedEventStore"/> (table from <c>Processing:Store:TableName</c>, default <c>processedevents</c>) over the
    /// <c>AzureWebJobsStorage</c> account, plus <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    public static IServiceCollection AddProcessedEventStore(this IServiceCollection services, IConfiguration configuration) =>
        services.AddTableStore<IProcessedEventStore, ProcessedEventStoreOptions>(configuration, ProcessedEventStoreOptions.SectionName,
            o => o.TableName, (table, _, time) => new TableProcessedEventStore(table, time));
}
