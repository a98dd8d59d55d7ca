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
        services.AddOptions<WebhookOptions>()
            .Bind(configuration.GetSection(WebhookOptions.SectionName))
            .Validate(HasUsableKeys, "No webhook secret key is configured: set Webhooks__SecretKeys__0__KeyId and Webhooks__SecretKeys__0__Secret, or Webhooks__KeyVault__VaultUri.")
            .Validate(EveryKeyComplete, "Every Webhooks__SecretKeys__<n> entry needs both KeyId and Secret.")
            .ValidateOnStart();
        // The [Range] checks on WebhookOptions, by the source-generated validator (no reflection, so the library stays trim/AOT safe).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddConnectEventsMetrics();
        services.TryAddSingleton<ConfigurationSecretKeyStore>();
        services.TryAddSingleton<ISecretKeyStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
            var stores = new List<ISecretKeyStore> { sp.GetRequiredService<ConfigurationSecretKeyStore>() };
            if (options.KeyVault.VaultUri is { } vault)
            {
                var credential = AzureCredentials.Create(options.KeyVault.ManagedIdentityClientId, options.KeyVault.Credential);
                stores.Add(new KeyVaultSecretKeyStore(new SecretClient(vault, credential), options.KeyVault,
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

    /// <summary>
    /// Registers <see cref="StorageClients"/> from <c>AzureWebJobsStorage</c> and the webhook's <see cref="IEventPublisher"/>: a
    /// <see cref="FanOutEventPublisher"/> over the processing queue and, when <c>ServiceBusConnection</c> or
    /// <c>ServiceBusConnection__fullyQualifiedNamespace</c> is set, the Service Bus topic.
    /// </summary>
    public static IServiceCollection AddEventPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EventsOptions>()
            .Bind(configuration.GetSection(EventsOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.QueueName), "Events__QueueName must not be empty.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(configuration);
        services.AddServiceBusTopicPublisher(configuration);
        services.TryAddSingleton(sp => new StorageQueueEventPublisher(
            sp.GetRequiredService<StorageClients>().Queue(sp.GetRequiredService<IOptions<EventsOptions>>().Value.QueueName)));
        // Whether the topic is on is decided when the publisher is first resolved, not here: hosts and tests may add settings after registration.
        services.TryAddSingleton<IEventPublisher>(sp => new FanOutEventPublisher(
            sp.GetRequiredService<StorageQueueEventPublisher>(),
            ServiceBusClientFactory.IsConfigured(configuration) ? sp.GetRequiredService<ServiceBusTopicPublisher>() : null,
            sp.GetRequiredService<IOptions<EventsOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ConnectEventsMetrics>()));
        return services;
    }

    private static bool HasUsableKeys(WebhookOptions o) =>
        o.KeyVault.VaultUri is not null || o.SecretKeys.Any(k => !string.IsNullOrEmpty(k.KeyId) && !string.IsNullOrEmpty(k.Secret));

    private static bool EveryKeyComplete(WebhookOptions o) =>
        o.SecretKeys.All(k => string.IsNullOrEmpty(k.KeyId) == string.IsNullOrEmpty(k.Secret));
}
