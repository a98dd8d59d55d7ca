using Azure.Messaging.ServiceBus;
using ConnectEvents.ConnectApi;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Processing;
using ConnectEvents.Storage;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace ConnectEvents.Platform3;

/// <summary>
/// Registers the v3 platform: notification URLs, the notification ingress, the Inquiry client and the processor. The
/// rule: the platform is on exactly when <c>Platform3__Endpoint</c> is set (non-blank); otherwise its settings are not
/// checked, its notification route answers 404 and its queue function is not run, whatever the other <c>Platform3__*</c> settings say.
/// </summary>
public static class Platform3ServiceCollectionExtensions
{
    /// <summary>The named HttpClient behind <see cref="IInquiryClient"/>.</summary>
    public const string HttpClientName = "platform3";

    /// <summary>True when <c>Platform3__Endpoint</c> is set: the one switch of the v3 platform.</summary>
    public static bool IsEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[Platform3Options.SectionName + ":" + nameof(Platform3Options.Endpoint)]);
    }

    /// <summary>
    /// Adds the v3 platform's services; they are used only while <see cref="IsEnabled"/> (see <see cref="Platform3Switch"/>),
    /// and its settings are validated at start-up, naming the setting, only then.
    /// </summary>
    /// <remarks>Needs the webhook secret key store (<see cref="ISecretKeyStore"/>), registered by <c>AddConnectWebhooks</c>.</remarks>
    public static IServiceCollection AddPlatform3(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // Registered always, switched at use: hosts and tests may add settings after registration (as for the topic).
        services.TryAddSingleton(new Platform3Switch(configuration));
        services.AddOptions<Platform3Options>()
            .Bind(configuration.GetSection(Platform3Options.SectionName))
            .Validate(o => o.Endpoint is null || o.Endpoint is { IsAbsoluteUri: true } e && (e.Scheme == Uri.UriSchemeHttps || e.Scheme == Uri.UriSchemeHttp),
                "Platform3__Endpoint must be an absolute http(s) URL.")
            .Validate(o => o.Endpoint is null || !string.IsNullOrWhiteSpace(o.AccessToken),
                "Platform3__AccessToken must be set when Platform3__Endpoint is (in Azure: a Key Vault reference).")
            .Validate(o => o.Endpoint is null || o.LiveKeyIds().Count > 0,
                "Platform3__NotificationKeyId must name a webhook secret key (Webhooks__SecretKeys__<n>__KeyId or a Key Vault key) to mint notification URLs with.")
            .Validate(o => o.Endpoint is null || IsQueueName(o.QueueName), "Platform3__QueueName must be 3-63 lowercase letters, digits and single dashes.")
            .Validate(o => o.Endpoint is null || o.AttemptTimeout > TimeSpan.Zero && o.TotalTimeout >= o.AttemptTimeout && o.RetryBaseDelay >= TimeSpan.Zero,
                "Platform3__AttemptTimeout must be positive and at most Platform3__TotalTimeout.")
            .Validate(o => o.Endpoint is null || o.ResultCodes.All(r => ResultCodeClassifier.IsPattern(r.Pattern) && TryCategory(r.Category, out _)),
                "Every Platform3__ResultCodes__<n> needs a Pattern of one to three groups of three digits (e.g. 800.100) and a Category " +
                "(Success, Pending, DeclinedByBank, DeclinedByRisk, InvalidRequest, SystemError or Unknown).")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Platform3Options>, Platform3OptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddStorageClients(configuration);
        services.AddProcessedEventStore(configuration);

        services.TryAddSingleton(sp => new ResultCodeClassifier(
            sp.GetRequiredService<IOptions<Platform3Options>>().Value.ResultCodes
                .Select(r => new ResultCodeRule(r.Pattern!, TryCategory(r.Category, out var c) ? c : ResultCategory.Unknown))));
        services.TryAddSingleton<NotificationUrlVerifier>();
        services.TryAddSingleton(sp => new NotificationIngress(
            sp.GetRequiredService<NotificationUrlVerifier>(),
            new StorageQueueEventPublisher(sp.GetRequiredService<StorageClients>().Queue(sp.GetRequiredService<IOptions<Platform3Options>>().Value.QueueName)),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<NotificationIngress>>()));
        AddInquiryClient(services);
        services.TryAddSingleton<NotificationHandler>();
        // The topic is on when the Connect events' is: the same ServiceBusConnection and Events__TopicName.
        services.TryAddSingleton(sp => new NotificationProcessor(
            sp.GetRequiredService<IProcessedEventStore>(),
            sp.GetRequiredService<NotificationHandler>(),
            ServiceBusClientFactory.IsConfigured(configuration)
                ? new VerifiedEventPublisher(sp.GetRequiredService<ServiceBusSender>(), sp.GetRequiredService<IOptions<EventsOptions>>().Value,
                    sp.GetRequiredService<ILogger<VerifiedEventPublisher>>())
                : null,
            sp.GetRequiredService<IOptions<ProcessingOptions>>(),
            sp.GetRequiredService<ILogger<NotificationProcessor>>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        return services;
    }

    /// <summary>The Inquiry client: Bearer token per attempt inside GET retries on transient answers, inside a total timeout; nothing logs URLs or headers.</summary>
    private static void AddInquiryClient(IServiceCollection services)
    {
        services.TryAddTransient<BearerTokenHandler>();
        var http = services.AddHttpClient<IInquiryClient, InquiryClient>(HttpClientName, (sp, http) =>
            {
                var endpoint = sp.GetRequiredService<IOptionsMonitor<Platform3Options>>().CurrentValue.Endpoint!;
                http.BaseAddress = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .ConfigurePrimaryHttpMessageHandler(ConnectClientServiceCollectionExtensions.PrimaryHandler)
            .RemoveAllLoggers();
        http.AddResilienceHandler("platform3-pipeline", static (builder, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<Platform3Options>>().CurrentValue;
            builder.AddTimeout(options.TotalTimeout);
            if (options.MaxRetries > 0)
            {
                // Only GETs go out, so every transient answer may be retried.
                builder.AddRetry(ConnectClientServiceCollectionExtensions.TransientRetry(options.MaxRetries, options.RetryBaseDelay, static _ => true));
            }

            builder.AddTimeout(options.AttemptTimeout);
        });
        http.AddHttpMessageHandler<BearerTokenHandler>();
    }

    private static bool TryCategory(string? text, out ResultCategory category) =>
        Enum.TryParse(text, ignoreCase: true, out category) && Enum.IsDefined(category) && !int.TryParse(text, out _);

    private static bool IsQueueName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && !name.Contains("--", StringComparison.Ordinal);
}

/// <summary>Whether the v3 platform is on, read from the final configuration when first asked (<c>Platform3__Endpoint</c> set).</summary>
/// <param name="configuration">The app's configuration.</param>
public sealed class Platform3Switch(IConfiguration configuration)
{
    private readonly Lazy<bool> _enabled = new(() => Platform3ServiceCollectionExtensions.IsEnabled(configuration));

    /// <summary>True when <c>Platform3__Endpoint</c> is set.</summary>
    public bool IsEnabled => _enabled.Value;
}
