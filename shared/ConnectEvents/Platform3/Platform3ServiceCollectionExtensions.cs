using Azure.Messaging.ServiceBus;
using ConnectEvents.ConnectApi;
using ConnectEvents.Diagnostics;
using ConnectEvents.Messaging;
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
/// Registers the v3 platform: notification URLs, the notification ingress, the Inquiry client and the pipeline. The
/// platform is on exactly when <c>Platform3__Endpoint</c> is set (<see cref="EnabledPlatforms"/>); otherwise its settings
/// are not checked, its notification route answers 404 and its queue function is not run.
/// </summary>
public static class Platform3ServiceCollectionExtensions
{
    /// <summary>The named HttpClient behind <see cref="IInquiryClient"/>.</summary>
    public const string HttpClientName = "platform3";

    /// <summary>
    /// Adds the v3 platform's services; they are used only while the platform is on, and its settings are validated at
    /// start-up, naming the setting, only then. Everything is constructible while it is off, so a function class can take
    /// them in its constructor and answer 404.
    /// </summary>
    /// <remarks>Needs the webhook secret key store (<see cref="ISecretKeyStore"/>), registered by <c>AddConnectWebhooks</c>, and the processing engine (<c>AddEventProcessing</c>).</remarks>
    public static IServiceCollection AddPlatform3(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddEnabledPlatforms(configuration);
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
            .Validate(o => o.Endpoint is null || o.NotificationUrlLifetime > TimeSpan.Zero && o.NotificationUrlLifetime <= TimeSpan.FromDays(365),
                "Platform3__NotificationUrlLifetime must be more than 0 and at most 365 days.")
            .Validate(o => o.Endpoint is null || o.NotificationDelay >= TimeSpan.Zero && o.NotificationDelay <= TimeSpan.FromMinutes(5),
                "Platform3__NotificationDelay must be between 0 and 5 minutes.")
            .Validate(o => o.Endpoint is null || o.InquiryInterval >= TimeSpan.Zero && o.InquiryInterval <= TimeSpan.FromHours(1),
                "Platform3__InquiryInterval must be between 0 and 1 hour.")
            .Validate(o => o.Endpoint is null || o.ResultCodes.All(r => ResultCodeClassifier.IsPattern(r.Pattern) && TryCategory(r.Category, out _)),
                "Every Platform3__ResultCodes__<n> needs a Pattern of one to three groups of three digits (e.g. 800.100) and a Category " +
                "(Success, Pending, DeclinedByBank, DeclinedByRisk, InvalidRequest, SystemError or Unknown).")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Platform3Options>, Platform3OptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddStorageClients(configuration);
        services.TryAddSingleton<QueueSenders>();

        services.TryAddSingleton(sp => new ResultCodeClassifier(
            sp.GetRequiredService<IOptions<Platform3Options>>().Value.ResultCodes
                .Select(r => new ResultCodeRule(r.Pattern!, TryCategory(r.Category, out var c) ? c : ResultCategory.Unknown))));
        services.TryAddSingleton<NotificationUrlVerifier>();
        services.TryAddSingleton<NotificationIngress>();
        AddInquiryClient(services);
        // The topic is on when the Connect events' is: the same ServiceBusConnection and Events__TopicName.
        services.TryAddSingleton(sp => new NotificationHandler(
            sp.GetRequiredService<IInquiryClient>(),
            sp.GetRequiredService<ResultCodeClassifier>(),
            ServiceBusClientFactory.IsConfigured(configuration)
                ? new VerifiedEventPublisher(sp.GetRequiredService<ServiceBusSender>(), sp.GetRequiredService<IOptions<EventsOptions>>().Value,
                    sp.GetRequiredService<ILogger<VerifiedEventPublisher>>())
                : null,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<NotificationHandler>>()));
        services.TryAddSingleton<NotificationPipeline>();
        return services;
    }

    /// <summary>
    /// The Inquiry client: the answer read whole and the Bearer token set per attempt, inside GET retries by the one
    /// in-call rule (<see cref="InCallRetry"/>), inside a total timeout; nothing logs URLs or headers.
    /// </summary>
    internal static void AddInquiryClient(IServiceCollection services)
    {
        services.TryAddTransient<BearerTokenHandler>();
        var http = services.AddHttpClient<IInquiryClient, InquiryClient>(HttpClientName, (sp, http) =>
            {
                // Off, there is no endpoint: the client is still constructible (function classes take it), never called.
                if (sp.GetRequiredService<IOptionsMonitor<Platform3Options>>().CurrentValue.Endpoint is { } endpoint)
                {
                    http.BaseAddress = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
                }

                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .ConfigurePrimaryHttpMessageHandler(ConnectClientServiceCollectionExtensions.PrimaryHandler)
            .RemoveAllLoggers();
        http.AddResilienceHandler("platform3-pipeline", static (builder, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<Platform3Options>>().CurrentValue;
            var time = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            builder.AddTimeout(InCallRetry.TotalTimeout(options.TotalTimeout, time));
            if (options.MaxRetries > 0)
            {
                builder.AddRetry(InCallRetry.Retry(options.MaxRetries, options.RetryBaseDelay, time, InquiryClient.FailureOf, InCallRetry.IsSafeToRepeat));
            }

            builder.AddTimeout(options.AttemptTimeout);
        });
        http.AddHttpMessageHandler(() => new ResponseBufferingHandler(InquiryClient.MaxAnswerBytes));
        http.AddHttpMessageHandler<BearerTokenHandler>();
        http.AddHttpMessageHandler(() => new OutboundCallTracingHandler(static _ => ("inquiry", "/v3/payments"))); // one client span per attempt
    }

    private static bool TryCategory(string? text, out ResultCategory category) =>
        Enum.TryParse(text, ignoreCase: true, out category) && Enum.IsDefined(category) && !int.TryParse(text, out _);

    private static bool IsQueueName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && !name.Contains("--", StringComparison.Ordinal);
}
