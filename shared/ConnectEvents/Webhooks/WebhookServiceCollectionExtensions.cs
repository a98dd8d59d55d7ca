using Azure.Security.KeyVault.Secrets;
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
        services.AddMetrics();
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
        services.TryAddSingleton<IQuarantineStore>(sp => new BlobQuarantineStore(
            sp.GetRequiredService<StorageClients>().BlobContainer(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.QuarantineContainer)));
        services.AddEventPublishing(configuration);
        services.TryAddSingleton<WebhookIngress>();
        return services;
    }

    /// <summary>Registers <see cref="StorageClients"/> from <c>AzureWebJobsStorage</c> and the <see cref="IEventPublisher"/> chosen by <c>Events:Transport</c>.</summary>
    public static IServiceCollection AddEventPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EventsOptions>()
            .Bind(configuration.GetSection(EventsOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.QueueName), "Events__QueueName must not be empty.")
            .ValidateOnStart();
        services.AddStorageClients(configuration);
        services.AddServiceBusPublisher(configuration);
        services.TryAddSingleton(sp => new StorageQueueEventPublisher(
            sp.GetRequiredService<StorageClients>().Queue(sp.GetRequiredService<IOptions<EventsOptions>>().Value.QueueName)));
        services.TryAddSingleton(SelectPublisher<IEventPublisher>);
        services.TryAddSingleton(SelectPublisher<IScheduledEventPublisher>);
        return services;
    }

    /// <summary>The publisher of the configured transport, as <typeparamref name="T"/> (both publishers implement both interfaces).</summary>
    private static T SelectPublisher<T>(IServiceProvider sp) where T : class
    {
        var events = sp.GetRequiredService<IOptions<EventsOptions>>().Value;
        object publisher = events.Transport switch
        {
            EventTransport.StorageQueue => sp.GetRequiredService<StorageQueueEventPublisher>(),
            EventTransport.ServiceBus => sp.GetRequiredService<ServiceBusEventPublisher>(),
            _ => throw new InvalidOperationException($"Events__Transport '{events.Transport}' has no publisher registered."),
        };
        return (T)publisher;
    }

    private static bool HasUsableKeys(WebhookOptions o) =>
        o.KeyVault.VaultUri is not null || o.SecretKeys.Any(k => !string.IsNullOrEmpty(k.KeyId) && !string.IsNullOrEmpty(k.Secret));

    private static bool EveryKeyComplete(WebhookOptions o) =>
        o.SecretKeys.All(k => string.IsNullOrEmpty(k.KeyId) == string.IsNullOrEmpty(k.Secret));
}
