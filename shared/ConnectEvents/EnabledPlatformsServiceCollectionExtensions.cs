using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConnectEvents;

/// <summary>Registers <see cref="EnabledPlatforms"/>.</summary>
public static class EnabledPlatformsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="EnabledPlatforms"/>, read from <paramref name="configuration"/> when first asked for: hosts and tests
    /// may add settings after registration.
    /// </summary>
    public static IServiceCollection AddEnabledPlatforms(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => EnabledPlatforms.From(configuration));
        return services;
    }
}
