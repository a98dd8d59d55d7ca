using Azure.Security.KeyVault.Secrets;
using ConnectEvents.Diagnostics;
using ConnectEvents.Identity;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Webhooks;

/// <summary>Registers the webhook pipeline: options, secret key stores, verifier, publisher and quarantine.</summary>
public static class WebhookServiceCollectionExtensions
{
    /// <summary>Adds everything <see cref="WebhookIngress"/> needs, bound to the <c>Webhooks</c>, <c>Events</c> and <c>AzureWebJobsStorage</c> settings.</summary>
    public static IServiceCollection AddConnectWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<WebhookOptions>(configuration, WebhookOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddConnectEventsMetrics();
        services.TryAddSingleton<ConfigurationSecretKeyStore>();
        services.TryAddSingleton<ISecretKeyStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
            var stores = new List<ISecretKeyStore> { sp.GetRequiredService<ConfigurationSecretKeyStore>() };
            var keyVault = IdentityConnection.Read(configuration, KeyVaultOptions.ConnectionName);
            if (keyVault.ServiceUri(KeyVaultOptions.VaultUriKey) is { } vault)
            {
                stores.Add(new KeyVaultSecretKeyStore(new SecretClient(vault, keyVault.Credential(), OutboundBudgets.KeyVault(options.KeyVault)), options.KeyVault,
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KeyVaultSecretKeyStore>>()));
            }

            return stores.Count == 1 ? stores[0] : new CompositeSecretKeyStore(stores);
        });
        services.TryAddSingleton<WebhookVerifier>();
        // The same budget as a publish: quarantining is the webhook's other durable write before it answers.
        services.TryAddSingleton<IQuarantineStore>(sp => new BlobQuarantineStore(
            sp.GetRequiredService<StorageClients>().BlobContainer(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.QuarantineContainer),
            sp.GetRequiredService<IOptions<EventsOptions>>().Value.PublishTimeout,
            sp.GetRequiredService<TimeProvider>()));
        services.AddEventPublishing(configuration);
        services.TryAddSingleton<WebhookIngress>();
        return services;
    }
}
