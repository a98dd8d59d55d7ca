using Azure.Data.Tables;
using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>Registers the processing stores: the processed-event store and the token vault, both on Table storage.</summary>
public static class ProcessingStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IProcessedEventStore"/> (table from <c>Processing:Store:TableName</c>, default <c>processedevents</c>) and
    /// <see cref="ITokenVault"/> (section <c>TokenVault</c>) over the <c>AzureWebJobsStorage</c> account, plus
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    public static IServiceCollection AddProcessingStores(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProcessedEventStoreOptions>()
            .Bind(configuration.GetSection(ProcessedEventStoreOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<TokenVaultOptions>()
            .Bind(configuration.GetSection(TokenVaultOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => StorageClients.FromConfiguration(configuration));
        services.TryAddSingleton<IProcessedEventStore>(sp => new TableProcessedEventStore(
            Table(sp, sp.GetRequiredService<IOptions<ProcessedEventStoreOptions>>().Value.TableName),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ITokenVault>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TokenVaultOptions>>().Value;
            return new TableTokenVault(Table(sp, options.TableName), options, sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }

    // Short SDK retries: a storage outage should fail the invocation quickly and let the trigger redeliver with its own backoff.
    private static TableClient Table(IServiceProvider sp, string name) =>
        sp.GetRequiredService<StorageClients>().Table(name, StorageClients.WithShortRetries(new TableClientOptions()));
}
