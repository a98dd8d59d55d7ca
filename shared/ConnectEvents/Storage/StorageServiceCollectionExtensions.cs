using System.ComponentModel.DataAnnotations;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Storage;

/// <summary>Registers the one <see cref="StorageClients"/> of the app, checked when the host starts.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="StorageClients"/> read from <c>AzureWebJobsStorage</c>. A missing or malformed connection stops the
    /// app at start-up with a message naming the setting, instead of failing the first request that needs storage.
    /// </summary>
    public static IServiceCollection AddStorageClients(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => StorageClients.FromConfiguration(configuration));
        services.AddValidatedOptions<StorageConnectionCheck>(configuration, sectionName: null).Configure(o => o.Configuration = configuration);
        return services;
    }

    /// <summary>
    /// Adds a store on one table of the <c>AzureWebJobsStorage</c> account: its settings <typeparamref name="TOptions"/> from
    /// <paramref name="sectionName"/> (checked at start-up), the storage clients, <see cref="TimeProvider.System"/> unless a
    /// <see cref="TimeProvider"/> is already registered, and <typeparamref name="TStore"/> built once from the table
    /// <paramref name="tableName"/> names.
    /// </summary>
    internal static IServiceCollection AddTableStore<TStore, TOptions>(this IServiceCollection services, IConfiguration configuration,
        string sectionName, Func<TOptions, string> tableName, Func<TableClient, TOptions, TimeProvider, TStore> create)
        where TStore : class
        where TOptions : class
    {
        services.AddValidatedOptions<TOptions>(configuration, sectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(configuration);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TOptions>>().Value;
            return create(sp.GetRequiredService<StorageClients>().Table(tableName(options)), options, sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }

    /// <summary>The start-up check of the storage connection: it builds the clients once, without I/O.</summary>
    internal sealed class StorageConnectionCheck : IValidatableObject
    {
        /// <summary>The configuration holding <c>AzureWebJobsStorage</c>.</summary>
        internal IConfiguration? Configuration { get; set; }

        /// <summary>A missing setting or an unparsable connection string fails, naming the setting and never quoting a key.</summary>
        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            string? problem = null;
            try
            {
                // Constructing a client parses the connection string; nothing is sent.
                _ = StorageClients.FromConfiguration(Configuration!).Queue("startup-check");
            }
            catch (InvalidOperationException ex)
            {
                problem = ex.Message;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                // The SDK's message may quote the string; the account key must not reach a log.
                problem = $"{StorageClients.ConnectionName} is not a valid storage connection string ({ex.GetType().Name}).";
            }

            return problem is null ? [] : [new ValidationResult(problem)];
        }
    }
}
