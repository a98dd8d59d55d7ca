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
        // Explicit checks rather than ValidateDataAnnotations: the app ships as Native AOT, where reflection-based validation is unsafe.
        services.AddOptions<ProcessedEventStoreOptions>()
            .Bind(configuration.GetSection(ProcessedEventStoreOptions.SectionName))
            .Validate(o => IsTableName(o.TableName), "Processing__Store__TableName must be 3-63 letters and digits, starting with a letter.")
            .ValidateOnStart();
        services.AddOptions<TokenVaultOptions>()
            .Bind(configuration.GetSection(TokenVaultOptions.SectionName))
            .Validate(o => IsTableName(o.TableName), "TokenVault__TableName must be 3-63 letters and digits, starting with a letter.")
            .Validate(o => o.MaxTokensPerCustomer is >= 1 and <= 1000, "TokenVault__MaxTokensPerCustomer must be between 1 and 1000.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(configuration);
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

    private static bool IsTableName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    // StorageClients gives tables short SDK retries: a storage outage fails the invocation quickly and the trigger redelivers with its own backoff.
    private static TableClient Table(IServiceProvider sp, string name) => sp.GetRequiredService<StorageClients>().Table(name);
}
