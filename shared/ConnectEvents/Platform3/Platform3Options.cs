using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.Platform3;

/// <summary>
/// Settings of the second payment platform (v3 API, configuration section <c>Platform3</c>). The platform is on exactly
/// when <see cref="Endpoint"/> is set; every other setting is read only then.
/// </summary>
public sealed class Platform3Options
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Platform3";

    /// <summary>The default queue notifications are enqueued on.</summary>
    public const string DefaultQueueName = "platform3-notifications";

    /// <summary>The v3 API's base URL (<c>Platform3__Endpoint</c>), e.g. the simulator's; empty switches the platform off.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// The Bearer access token for the Inquiry API (<c>Platform3__AccessToken</c>; in Azure a Key Vault reference). Never logged.
    /// </summary>
    public string? AccessToken { get; set; }

    /// <summary>The Storage queue notifications wait on (<c>Platform3__QueueName</c>); the queue trigger reads the same setting.</summary>
    public string QueueName { get; set; } = DefaultQueueName;

    /// <summary>
    /// The secret key id (in the webhook secret key store) new notification URLs are minted with (<c>Platform3__NotificationKeyId</c>).
    /// </summary>
    public string? NotificationKeyId { get; set; }

    /// <summary>
    /// Further key ids whose URLs are still accepted (<c>Platform3__AcceptedKeyIds__0</c>, …): the previous key during a
    /// rotation. Only these and <see cref="NotificationKeyId"/> are ever looked up, so no other webhook key can mint a URL.
    /// </summary>
    public IList<string> AcceptedKeyIds { get; } = [];

    /// <summary>The largest notification body kept (as a diagnostic hint); larger ones get 413. Default 16 KiB.</summary>
    [Range(256, 32 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// How long a minted notification URL works (<c>Platform3__NotificationUrlLifetime</c>, default 7 days: longer than the
    /// platform's retries); its expiry is inside the token, and a URL valid for longer than this is refused.
    /// </summary>
    public TimeSpan NotificationUrlLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a notification waits on the queue before it is looked at (<c>Platform3__NotificationDelay</c>, default 2 s):
    /// notifications of one payment that arrive within this time are answered by one inquiry.
    /// </summary>
    public TimeSpan NotificationDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The shortest time between two inquiries of one payment (<c>Platform3__InquiryInterval</c>, default 5 s): whatever is
    /// posted to a payment's URL, it costs at most one inquiry per interval.
    /// </summary>
    public TimeSpan InquiryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Seconds the caller is told to wait (Retry-After) when the notification could not be stored.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 30;

    /// <summary>Time allowed for one inquiry attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for an inquiry including its retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of an inquiry after its first attempt (a GET: always safe to repeat).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first retry delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Result-code rules added to the built-in table (<c>Platform3__ResultCodes__0__Pattern</c> / <c>__Category</c>); a rule
    /// here wins over a built-in one with the same pattern.
    /// </summary>
    public IList<ResultCodeRuleOptions> ResultCodes { get; } = [];

    /// <summary>The key ids a notification URL may carry: the minting key first, then the accepted ones.</summary>
    public IReadOnlyList<string> LiveKeyIds() =>
        [.. new[] { NotificationKeyId }.Concat(AcceptedKeyIds).Where(k => !string.IsNullOrEmpty(k)).Select(k => k!).Distinct(StringComparer.Ordinal)];
}
