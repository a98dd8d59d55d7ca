using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Tokens;

/// <summary>Registers the token vault on Table storage.</summary>
public static class TokenServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ITokenVault"/> (section <c>TokenVault</c>) over the <c>AzureWebJobsStorage</c> account, plus
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    public static IServiceCollection AddTokenVault(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TokenVaultOptions>()
            .Bind(configuration.GetSection(TokenVaultOptions.SectionName))
            .Validate(o => StorageNames.IsTableName(o.TableName), "TokenVault__TableName must be 3-63 letters and digits, starting with a letter.")
            .Validate(o => o.MaxTokensPerCustomer is >= 1 and <= 1000, "TokenVault__MaxTokensPerCustomer must be between 1 and 1000.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(configuration);
        services.TryAddSingleton<ITokenVault>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TokenVaultOptions>>().Value;
            return new TableTokenVault(sp.GetRequiredService<StorageClients>().Table(options.TableName), options, sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }
}
