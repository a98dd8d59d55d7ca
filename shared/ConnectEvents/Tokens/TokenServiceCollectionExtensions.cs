using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.Tokens;

/// <summary>Registers the token vault on Table storage.</summary>
public static class TokenServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ITokenVault"/> (section <c>TokenVault</c>) over the <c>AzureWebJobsStorage</c> account, plus
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    public static IServiceCollection AddTokenVault(this IServiceCollection services, IConfiguration configuration) =>
        services.AddTableStore<ITokenVault, TokenVaultOptions>(configuration, TokenVaultOptions.SectionName,
            o => o.TableName, (table, options, time) => new TableTokenVault(table, options, time));
}
