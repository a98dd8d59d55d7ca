using System.Diagnostics.Metrics;
using ConnectEvents.Processing;
using ConnectEvents.Webhooks;

namespace ConnectEvents.Diagnostics;

/// <summary>
/// Every instrument of the <c>ConnectEvents</c> meter, with one small method per thing a call site records. Tag values
/// are bounded sets chosen here (outcomes, reasons, families, operations, status codes), never ids, merchants or
/// anything a sender controls: each distinct tag combination is a time series that Application Insights bills and keeps.
/// </summary>
public sealed class ConnectEventsMetrics
{
    /// <summary>The meter's name: what an exporter subscribes to.</summary>
    public const string MeterName = "ConnectEvents";

    /// <summary>Webhook POSTs by outcome (accepted, quarantined, rejected, unavailable) and reason.</summary>
    public const string WebhookRequests = "connect_events.webhook.requests";

    /// <summary>Publishes of a verified event by transport (queue, topic) and result (ok, too-large, failed).</summary>
    public const string EventsPublished = "connect_events.events.published";

    /// <summary>Queue deliveries processed, by event family (v3 notifications: <c>v3</c>), outcome and disposition.</summary>
    public const string EventsProcessed = "connect_events.events.processed";

    /// <summary>How long one delivery's processing took, in seconds, by family and disposition.</summary>
    public const string ProcessingDuration = "connect_events.processing.duration";

    /// <summary>How long one Connect attempt took, in seconds, by operation and HTTP status.</summary>
    public const string ConnectDuration = "connect_events.connect.duration";

    /// <summary>Client session requests by outcome and HTTP status.</summary>
    public const string SessionRequests = "connect_events.sessions.requests";

    /// <summary>The event families the processor tells apart; any other type counts as <c>other</c>.</summary>
    public static readonly IReadOnlyList<string> Families = ["payment", "refund", "payout", "token", "dispute", "v3", "other"];

    // The SDK's default buckets are made for milliseconds; these durations are in seconds (the OpenTelemetry convention).
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    private static readonly string[] Dispositions = Enum.GetNames<ProcessingDisposition>().Select(n => n.ToLowerInvariant()).ToArray();

    private readonly Counter<long> _webhookRequests;
    private readonly Counter<long> _published;
    private readonly Counter<long> _processed;
    private readonly Histogram<double> _processingDuration;
    private readonly Histogram<double> _connectDuration;
    private readonly Counter<long> _sessions;

    /// <summary>Creates the instruments on a meter owned by <paramref name="meters"/> (disposed with the host).</summary>
    public ConnectEventsMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _webhookRequests = meter.CreateCounter<long>(WebhookRequests, "{request}", "Webhook POSTs by outcome and reason");
        _published = meter.CreateCounter<long>(EventsPublished, "{event}", "Verified events published, by transport and result");
        _processed = meter.CreateCounter<long>(EventsProcessed, "{delivery}", "Queue deliveries processed, by family, outcome and disposition");
        _processingDuration = meter.CreateHistogram(ProcessingDuration, "s", "Processing time of one queue delivery", null, SecondsBuckets);
        _connectDuration = meter.CreateHistogram(ConnectDuration, "s", "Duration of one Connect API attempt", null, SecondsBuckets);
        _sessions = meter.CreateCounter<long>(SessionRequests, "{request}", "Client session requests by outcome and status");
    }

    /// <summary>A webhook event was verified and durably enqueued (answered 200).</summary>
    public void WebhookAccepted() => Webhook("accepted", "none");

    /// <summary>A webhook POST failed the signature checks (answered 401); the reason is the verifier's failure.</summary>
    public void WebhookRejected(WebhookFailure failure) => Webhook("rejected", failure switch
    {
        WebhookFailure.MissingSignature => "missing-signature",
        WebhookFailure.DuplicateSignature => "duplicate-signature",
        WebhookFailure.MissingKeyId => "missing-key-id",
        WebhookFailure.DuplicateKeyId => "duplicate-key-id",
        WebhookFailure.UnknownKeyId => "unknown-key-id",
        WebhookFailure.InvalidSignature => "bad-signature",
        _ => "other",
    });

    /// <summary>A webhook body was refused before verification: over the size limit (413) or not received whole.</summary>
    public void WebhookBodyRefused(bool tooLarge) => Webhook("rejected", tooLarge ? "too-large" : "incomplete-body");

    /// <summary>A signed but unusable event was quarantined (answered 200); <paramref name="tooLarge"/> when a transport refused its size.</summary>
    public void WebhookQuarantined(string reason, bool tooLarge) =>
        Webhook("quarantined", tooLarge ? "too-large" : reason.Contains("apiVersion", StringComparison.Ordinal) ? "wrong-api-version" : "bad-body");

    /// <summary>A webhook event was answered 503; <paramref name="cause"/> is key-store, publish or quarantine.</summary>
    public void WebhookUnavailable(string cause) => Webhook("unavailable", cause switch
    {
        "key-store" or "publish" or "quarantine" => cause,
        _ => "other",
    });

    /// <summary>Records the fan-out's result per transport once both publishes ended; <paramref name="topic"/> is null when the topic is off.</summary>
    public void EventPublished(Task queue, Task? topic)
    {
        ArgumentNullException.ThrowIfNull(queue);
        Published("queue", queue);
        if (topic is not null)
        {
            Published("topic", topic);
        }
    }

    /// <summary>
    /// One queue delivery ended. <paramref name="family"/> is the event type's family (bounded to <see cref="Families"/>);
    /// <paramref name="outcome"/> is the processor's own outcome constant (captured, no-action, connect-validation, …),
    /// or null to count the delivery by its disposition alone.
    /// </summary>
    public void EventProcessed(string? family, string? outcome, ProcessingDisposition disposition, TimeSpan elapsed)
    {
        var familyTag = new KeyValuePair<string, object?>("family", Family(family));
        var dispositionTag = new KeyValuePair<string, object?>("disposition", Disposition(disposition));
        // Duration first: whoever waits for the count then finds the duration too.
        _processingDuration.Record(elapsed.TotalSeconds, familyTag, dispositionTag);
        _processed.Add(1, familyTag, new KeyValuePair<string, object?>("outcome", Outcome(outcome, disposition)), dispositionTag);
    }

    /// <summary>One Connect attempt ended with <paramref name="status"/> (an HTTP status, or 0 when no response came back).</summary>
    public void ConnectCall(string operation, int status, TimeSpan elapsed) =>
        _connectDuration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("status", StatusTag(status)));

    /// <summary>A client session request was answered with <paramref name="status"/>.</summary>
    public void SessionRequest(int status) =>
        _sessions.Add(1,
            new KeyValuePair<string, object?>("outcome", status switch
            {
                < 300 => "created",
                503 => "unavailable",
                < 500 => "rejected",
                _ => "failed",
            }),
            new KeyValuePair<string, object?>("status", StatusTag(status)));

    /// <summary>The family tag of an event type or family name: one of <see cref="Families"/>.</summary>
    public static string Family(string? typeOrFamily)
    {
        if (string.IsNullOrEmpty(typeOrFamily))
        {
            return "other";
        }

        var dot = typeOrFamily.IndexOf('.', StringComparison.Ordinal);
        var family = dot > 0 ? typeOrFamily.AsSpan(0, dot) : typeOrFamily.AsSpan();
        foreach (var known in Families)
        {
            if (family.Equals(known, StringComparison.Ordinal))
            {
                return known;
            }
        }

        return "other";
    }

    private void Webhook(string outcome, string reason) =>
        _webhookRequests.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("reason", reason));

    private void Published(string transport, Task task) =>
        _published.Add(1, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("result", task switch
        {
            { IsCompletedSuccessfully: true } => "ok",
            { IsFaulted: true } when task.Exception!.InnerException is Messaging.EventTooLargeException => "too-large",
            { IsFaulted: true } when task.Exception!.InnerException is Messaging.EventRefusedException => "refused",
            _ => "failed",
        }));

    private static string Disposition(ProcessingDisposition disposition) =>
        (uint)disposition < (uint)Dispositions.Length ? Dispositions[(int)disposition] : "other";

    // Outcomes are the processor's constants; anything else (a longer text, odd characters) is folded to "other" so a
    // future message with an id in it cannot open unbounded series.
    private static string Outcome(string? outcome, ProcessingDisposition disposition)
    {
        if (string.IsNullOrEmpty(outcome))
        {
            return Disposition(disposition);
        }

        if (outcome.Length > 40)
        {
            return "other";
        }

        foreach (var c in outcome)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '+' or '_'))
            {
                return "other";
            }
        }

        return outcome;
    }

    private static string StatusTag(int status) => status is >= 100 and < 600
        ? status.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : "none";
}
