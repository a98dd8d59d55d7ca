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
        services.AddOptions<StorageConnectionCheck>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageConnectionCheck>>(new StorageConnectionValidator(configuration)));
        return services;
    }

    /// <summary>Placeholder options whose validation is the start-up check of the storage connection.</summary>
    internal sealed class StorageConnectionCheck;

    /// <summary>Builds the clients once without I/O: a missing setting or an unparsable connection string fails.</summary>
    private sealed class StorageConnectionValidator(IConfiguration configuration) : IValidateOptions<StorageConnectionCheck>
    {
        public ValidateOptionsResult Validate(string? name, StorageConnectionCheck options)
        {
            try
            {
                // Constructing a client parses the connection string; nothing is sent.
                _ = StorageClients.FromConfiguration(configuration).Queue("startup-check");
                return ValidateOptionsResult.Success;
            }
            catch (InvalidOperationException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                // The SDK's message may quote the string; the account key must not reach a log.
                return ValidateOptionsResult.Fail($"{StorageClients.ConnectionName} is not a valid storage connection string ({ex.GetType().Name}).");
            }
        }
    }
}
