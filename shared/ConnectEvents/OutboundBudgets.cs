using Azure.Messaging.ServiceBus;
using Azure.Security.KeyVault.Secrets;
using ConnectEvents.Messaging;
using ConnectEvents.Webhooks;

namespace ConnectEvents;

/// <summary>
/// The retry and network-timeout options of every Azure SDK client the app makes, in one place, so that no SDK default
/// (Key Vault and Storage: 3 retries of up to 100 s each) can hold a webhook answer or a processing delivery past its
/// budget. docs/configuration.md ("Budgets of outside calls") lists what each client gets and which settings size it.
/// </summary>
public static class OutboundBudgets
{
    /// <summary>Retries after the first Storage attempt (tables, queues, blobs).</summary>
    public const int StorageMaxRetries = 2;

    /// <summary>One Storage attempt, until its answer's headers or between two reads of its body.</summary>
    public static readonly TimeSpan StorageAttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Storage clients: two quick retries of at most <see cref="StorageAttemptTimeout"/> each (about 15 s in the worst
    /// case), far inside a processing delivery (host.json <c>functionTimeout</c>); on the webhook path the publish budget
    /// (<c>Events__PublishTimeout</c>) cancels the call sooner. A storage outage should fail the call quickly and leave the
    /// backoff to the queue trigger or to Worldline's redelivery.
    /// </summary>
    public static T Storage<T>(T options) where T : Azure.Core.ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.Mode = Azure.Core.RetryMode.Exponential;
        options.Retry.MaxRetries = StorageMaxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = StorageAttemptTimeout;
        return options;
    }

    /// <summary>
    /// The Key Vault client of the webhook key store: attempts of <see cref="KeyVaultOptions.AttemptTimeout"/>, as many
    /// retries as fit <see cref="KeyVaultOptions.Timeout"/> even when every attempt times out (the store also cancels a
    /// lookup at that budget, which covers the credential's own calls).
    /// </summary>
    public static SecretClientOptions KeyVault(KeyVaultOptions options, SecretClientOptions? into = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var plan = Plan(options.Timeout, options.AttemptTimeout, maxRetries: 3);
        var client = into ?? new SecretClientOptions();
        client.Retry.Mode = Azure.Core.RetryMode.Exponential;
        client.Retry.MaxRetries = plan.MaxRetries;
        client.Retry.Delay = plan.Delay;
        client.Retry.MaxDelay = plan.MaxDelay;
        client.Retry.NetworkTimeout = plan.AttemptTimeout;
        return client;
    }

    /// <summary>
    /// The Service Bus sender's retries: exponential, attempts of <see cref="EventsOptions.PublishAttemptTimeout"/>, as many
    /// as fit <see cref="EventsOptions.PublishTimeout"/> in the worst case. (The SDK can pause longer after
    /// <c>ServiceBusy</c>; the budget's cancellation in <see cref="FanOutEventPublisher"/> is the backstop.)
    /// </summary>
    public static ServiceBusRetryOptions ServiceBus(EventsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var plan = Plan(options.PublishTimeout, options.PublishAttemptTimeout, maxRetries: 5);
        return new ServiceBusRetryOptions
        {
            Mode = ServiceBusRetryMode.Exponential,
            MaxRetries = plan.MaxRetries,
            Delay = plan.Delay,
            MaxDelay = plan.MaxDelay,
            TryTimeout = plan.AttemptTimeout,
        };
    }

    /// <summary>
    /// Retries that fit <paramref name="budget"/> even when every attempt runs its whole timeout and every pause its whole
    /// maximum: <c>(MaxRetries + 1) × AttemptTimeout + MaxRetries × MaxDelay ≤ budget</c>.
    /// </summary>
    public static RetryPlan Plan(TimeSpan budget, TimeSpan attemptTimeout, int maxRetries)
    {
        var attempt = attemptTimeout < budget ? attemptTimeout : budget;
        var maxDelay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, budget.Ticks / 10));
        var retries = (budget - attempt).Ticks / Math.Max((attempt + maxDelay).Ticks, 1);
        return new RetryPlan(
            (int)Math.Clamp(retries, 0, maxRetries),
            TimeSpan.FromTicks(Math.Max(maxDelay.Ticks / 5, TimeSpan.TicksPerMillisecond)),
            maxDelay,
            attempt);
    }

    /// <summary>A retry schedule that fits a budget (see <see cref="Plan"/>).</summary>
    /// <param name="MaxRetries">Retries after the first attempt.</param>
    /// <param name="Delay">The first pause; later ones grow exponentially.</param>
    /// <param name="MaxDelay">The longest pause.</param>
    /// <param name="AttemptTimeout">One attempt's timeout.</param>
    public sealed record RetryPlan(int MaxRetries, TimeSpan Delay, TimeSpan MaxDelay, TimeSpan AttemptTimeout);
}
