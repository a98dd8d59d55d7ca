using System.Diagnostics;
using System.Text.Json;
using ConnectEvents.ConnectApi;
using ConnectEvents.Diagnostics;
using ConnectEvents.Failures;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>
/// Runs a handler exactly once per claim key: claims the key in the processed-event store, runs the handler, records the
/// outcome (Completed) or a permanent failure (Failed), gives the claim back after a transient one (or marks it
/// dead-lettered on the last delivery), defers a copy onto the delivering queue when another delivery holds the key (or
/// a recurring key's next round may not begin yet), and quarantines messages nobody can use. Knows nothing of payments:
/// the handler and the claim key come from the caller. The only caller of the store's claim.
/// </summary>
public sealed partial class ExactlyOnceProcessor
{
    // Each delivery is its own lease owner: two deliveries in one process must exclude each other too.
    private static readonly string OwnerPrefix = $"{Environment.MachineName}/{Environment.ProcessId}/";
    private readonly IProcessedEventStore _store;
    private readonly IDeliveryDeferral _deferral;
    private readonly IQuarantineStore _quarantine;
    private readonly IOptionsMonitor<ProcessingOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ExactlyOnceProcessor> _logger;

    /// <summary>Creates the processor.</summary>
    public ExactlyOnceProcessor(IProcessedEventStore store, IDeliveryDeferral deferral, IQuarantineStore quarantine,
        IOptionsMonitor<ProcessingOptions> options, TimeProvider time, ILogger<ExactlyOnceProcessor> logger)
    {
        _store = store;
        _deferral = deferral;
        _quarantine = quarantine;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Runs <paramref name="handler"/> on <paramref name="evt"/> under the claim. Never throws for transient trouble: the result says what the trigger should do.</summary>
    public async Task<ProcessingResult> RunAsync<TEvent>(ClaimRequest claim, TEvent evt, IProcessingHandler<TEvent> handler, TriggerMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(message);
        // Once the last delivery holds the claim it arms its successor, visible once this delivery's lease can have run out.
        // The trigger moves a message whose last delivery died (a kill, a recycled instance) to the poison queue without
        // running it, so without this the event would wait there for an operator. Every outcome below disarms it; only a
        // delivery that never reaches one (killed, or cancelled by a host shutting down) lets it through. The claim counts
        // these deliveries, so a poison pill that kills its process is re-driven a bounded number of times.
        var successor = new Successor(message.IsLastDelivery && _options.CurrentValue.MaxRedrives > 0);
        var result = await RunOnceAsync(successor.Wanted ? claim with { Info = claim.Info with { ArmsRedrive = true } } : claim, evt, handler, message, successor, cancellationToken);
        if (successor.Copy is { } armed)
        {
            await DisarmAsync(armed, claim.EventId);
        }

        return result;
    }

    private async Task<ProcessingResult> RunOnceAsync<TEvent>(ClaimRequest claim, TEvent evt, IProcessingHandler<TEvent> handler, TriggerMessage message, Successor successor, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var id = claim.EventId;
        var type = claim.Info.EventType;
        var traceParent = ConnectEventsTracing.CurrentTraceParent();
        using var scope = _logger.BeginScope(new Dictionary<string, object?>
        {
            ["EventId"] = id, ["EventType"] = claim.Info.EventType, ["MerchantId"] = claim.Info.MerchantId, ["PaymentId"] = claim.Info.PaymentId, ["Delivery"] = message.DeliveryCount,
            ["TraceId"] = Activity.Current?.TraceId.ToHexString(),
        });
        Activity.Current?.SetTag(ConnectEventsTracing.EventId, id).SetTag(ConnectEventsTracing.EventType, type).SetTag(ConnectEventsTracing.PaymentId, claim.Info.PaymentId);

        ClaimResult claimed;
        try
        {
            // The attempt's trace goes into the record: status lists it, and a duplicate's skip or a replay links to it.
            var info = traceParent is null ? claim.Info : claim.Info with { TraceParent = traceParent };
            claimed = await ConnectEventsTracing.StepAsync("claim", async span =>
            {
                var answer = await _store.ClaimAsync(claim.Key, OwnerPrefix + Guid.NewGuid().ToString("N"), _options.CurrentValue.LeaseDuration, info, cancellationToken);
                span?.SetTag(ConnectEventsTracing.ClaimStatus, answer.Status.ToString());
                return answer;
            });
        }
        catch (Exception ex) when (FailureClassifier.Classify(ex, cancellationToken) is FailureClass.Transient or FailureClass.Permanent)
        {
            LogTransient(_logger, id, "the processed-event store is unavailable", ex.Message);
            return new(ProcessingDisposition.Retry, $"event {id}: store unavailable, retry later", id, null, type);
        }

        switch (claimed.Status)
        {
            case ClaimStatus.AlreadyCompleted or ClaimStatus.AlreadyFailed:
                ProcessingSpan.LinkToOriginal(claimed.Record?.LastTraceParent, "duplicate");
                LogSkipped(_logger, id, claimed.Status);
                return new(ProcessingDisposition.Skipped, $"event {id}: {claimed.Status}, skipped", id, null, type);
            case ClaimStatus.InProgressElsewhere when message.IsLastDelivery:
                // Never the end of the event: its holder may have died. Come back when its lease can have run out, as a
                // new message with a budget of its own; the claim then takes an expired lease over.
                return await DeferAsync(message, id, type, claimed.Record?.LeaseExpiresAt, null, cancellationToken);
            case ClaimStatus.InProgressElsewhere:
                // Usually a duplicate in flight (Worldline delivers at least once) whose holder finishes soon. A copy comes
                // back after the trigger's own redelivery delay and then sees the outcome; failing this invocation instead
                // would log an error for a normal duplicate and spend one of the event's deliveries.
                return await DeferAsync(message, id, type, claimed.Record?.LeaseExpiresAt, _options.CurrentValue.RedeliveryDelay, cancellationToken);
            case ClaimStatus.NotYet:
                // A recurring key whose last round began too recently: this delivery gets its own round once the spacing
                // has passed (the copy then either finds a round that covers it or starts one).
                return await DeferAsync(message, id, type, claimed.RetryAt, null, cancellationToken);
        }

        var record = claimed.Record!;
        if (successor.Wanted && record.RedriveCount > _options.CurrentValue.MaxRedrives)
        {
            // Re-driven as often as allowed: should this delivery die too, the event waits in the poison queue for an operator.
            LogRedrivesUsed(_logger, id, record.RedriveCount - 1);
        }
        else if (successor.Wanted)
        {
            successor.Copy = await ArmAsync(message, id, cancellationToken);
        }

        var detail = new ProcessingDetail { Delivery = message.DeliveryCount, ReplayGeneration = record.ReplayGeneration };
        if (claim.Info.Recurrence is not null && record.DetailJson is { } previous)
        {
            // A new round of a recurring key starts from the status the last round ended with.
            detail.StatusBefore = PreviousStatus(previous);
        }

        try
        {
            var outcome = await ConnectEventsTracing.StepAsync("handle", async span =>
            {
                span?.SetTag(ConnectEventsTracing.EventType, type);
                var done = await handler.HandleAsync(evt, detail, cancellationToken);
                span?.SetTag(ConnectEventsTracing.Outcome, done);
                return done;
            });
            detail.ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await ConnectEventsTracing.StepAsync("complete", () => _store.CompleteAsync(record, outcome, Serialize(detail), cancellationToken));
            LogCompleted(_logger, id, type ?? string.Empty, outcome, detail.ElapsedMs, traceParent is null ? "none" : traceParent.Substring(3, 32));
            return new(ProcessingDisposition.Completed, $"event {id} ({type}): {outcome}", id, outcome, type);
        }
        catch (Exception ex) when (FailureClassifier.Classify(ex, cancellationToken) is var failure && failure != FailureClass.Cancelled)
        {
            switch (failure)
            {
                case FailureClass.Permanent:
                    detail.RecordFailure(ex);
                    detail.ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    LogPermanentFailure(id, ex);
                    return await FailPermanentlyAsync(record, id, type, FailureClassifier.PermanentReason(ex), detail, message.IsLastDelivery, cancellationToken);
                case FailureClass.LeaseLost:
                    // Another delivery took the event over after our lease ran out; every action was idempotent, it records the outcome.
                    return LeaseLost(id, type);
                case FailureClass.Transient:
                    LogTransient(_logger, id, FailureClassifier.Source(ex), ex.Message);
                    return await GiveBackAsync(record, id, type, ex, message.IsLastDelivery);
                default:
                    // Unexpected (a bug, an injected crash): never lose the event, let the trigger deliver it again.
                    LogUnexpected(_logger, ex, id);
                    return await GiveBackAsync(record, id, type, ex, message.IsLastDelivery);
            }
        }
    }

    /// <summary>Keeps a message nobody can use (not an event, no id) in quarantine, so it is neither lost nor retried forever.</summary>
    public async Task<ProcessingResult> QuarantineAsync(TriggerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            var id = Guid.NewGuid().ToString("N");
            var headers = new Dictionary<string, string> { ["X-Trigger-MessageId"] = message.MessageId ?? string.Empty };
            await ConnectEventsTracing.StepAsync("quarantine", () => _quarantine.StoreAsync(new QuarantinedEvent(id, $"processor: {reason}", null, _time.GetUtcNow(), headers, message.Body.ToArray()), cancellationToken));
            LogQuarantined(_logger, message.MessageId, reason, id);
            return new(ProcessingDisposition.Completed, $"message {message.MessageId}: unusable ({reason}), quarantined as {id}", null, "quarantined");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new(ProcessingDisposition.Retry, $"message {message.MessageId}: unusable ({reason}) and the quarantine failed: {ex.Message}", null);
        }
    }

    private void LogPermanentFailure(string eventId, Exception failure)
    {
        if (failure is ConnectApiException connect)
        {
            LogPermanent(_logger, eventId, connect.Kind, connect.StatusCode, connect.ErrorId, connect.ErrorCodes);
        }
        else
        {
            LogPermanentOther(_logger, eventId, FailureClassifier.PermanentReason(failure), failure.Message);
        }
    }

    private async Task<ProcessingResult> FailPermanentlyAsync(ProcessedEventRecord record, string eventId, string? type, string reason, ProcessingDetail detail, bool lastDelivery, CancellationToken ct)
    {
        try
        {
            await ConnectEventsTracing.StepAsync("fail", () => _store.FailAsync(record, reason, Serialize(detail), ct));
            return new(ProcessingDisposition.Failed, $"event {eventId}: failed permanently ({reason}), recorded", eventId, reason, type);
        }
        catch (Exception ex) when (FailureClassifier.Classify(ex, ct) is FailureClass.LeaseLost or FailureClass.Transient)
        {
            return ex is LeaseLostException ? LeaseLost(eventId, type) : await GiveBackAsync(record, eventId, type, ex, lastDelivery);
        }
    }

    private async Task<ProcessingResult> GiveBackAsync(ProcessedEventRecord record, string eventId, string? type, Exception error, bool lastDelivery)
    {
        var reason = $"{error.GetType().Name}: {error.Message}";
        try
        {
            if (lastDelivery)
            {
                await ConnectEventsTracing.StepAsync("dead-letter", () => _store.MarkDeadLetteredAsync(record.EventId, $"poisoned after the last delivery: {reason}", CancellationToken.None));
                return new(ProcessingDisposition.DeadLettered, $"event {eventId}: last delivery failed, poisoned: {reason}", eventId, null, type);
            }

            // End the lease now so the next delivery can take over at once instead of waiting for it to expire.
            await ConnectEventsTracing.StepAsync("release", () => _store.ReleaseAsync(record, reason, CancellationToken.None));
        }
        catch (Exception ex) when (FailureClassifier.Classify(ex) is not FailureClass.Unknown)
        {
            // The lease expires on its own; the trigger still redelivers.
        }

        return new(lastDelivery ? ProcessingDisposition.DeadLettered : ProcessingDisposition.Retry, $"event {eventId}: retry later: {reason}", eventId, null, type);
    }

    private async Task<ProcessingResult> DeferAsync(TriggerMessage message, string eventId, string? type, DateTimeOffset? until, TimeSpan? atMost, CancellationToken ct)
    {
        // One second past the lease (or the next round): the claim compares against the store's clock, and a little margin costs nothing.
        var remaining = (until ?? _time.GetUtcNow()) - _time.GetUtcNow();
        var delay = (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) + TimeSpan.FromSeconds(1);
        if (atMost is { } cap && cap < delay)
        {
            delay = cap;
        }
        try
        {
            await ConnectEventsTracing.StepAsync("defer", () => _deferral.DeferAsync(message.Queue, message.Body, delay, ct));
        }
        catch (EventPublishException ex)
        {
            // Not deferred: fail this delivery instead, so the trigger redelivers it (or poisons it, replayable, after the last).
            LogTransient(_logger, eventId, "the deferred copy could not be queued", ex.Message);
            return new(ProcessingDisposition.Retry, $"event {eventId}: in progress elsewhere and not deferred, retry later", eventId, null, type);
        }

        LogDeferred(_logger, eventId, delay.TotalSeconds);
        return new(ProcessingDisposition.Deferred, $"event {eventId}: in progress elsewhere, delivered again in {delay.TotalSeconds:F0} s", eventId, null, type);
    }

    private async Task<ArmedCopy?> ArmAsync(TriggerMessage message, string eventId, CancellationToken ct)
    {
        try
        {
            return await ConnectEventsTracing.StepAsync("arm successor", _ => _deferral.ArmAsync(message.Queue, message.Body, _options.CurrentValue.LeaseDuration + TimeSpan.FromSeconds(1), ct));
        }
        catch (EventPublishException ex)
        {
            // Not armed: the delivery goes ahead as before; should it die, its message ends in the poison queue, replayable.
            LogTransient(_logger, eventId, "the successor of the last delivery could not be armed", ex.Message);
            return null;
        }
    }

    private async Task DisarmAsync(ArmedCopy armed, string eventId)
    {
        try
        {
            await ConnectEventsTracing.StepAsync("disarm successor", () => _deferral.DisarmAsync(armed, CancellationToken.None));
        }
        catch (EventPublishException ex)
        {
            // It will be delivered: its claim finds the outcome recorded (or a dead-lettered record, which it takes over once).
            LogTransient(_logger, eventId, "the armed successor could not be cancelled", ex.Message);
        }
    }

    private static ProcessingResult LeaseLost(string eventId, string? type) => new(ProcessingDisposition.Skipped, $"event {eventId}: lease lost to another delivery", eventId, null, type);

    private static string? PreviousStatus(string detailJson)
    {
        try
        {
            return JsonSerializer.Deserialize(detailJson, ProcessingJsonContext.Default.ProcessingDetail)?.StatusAfter;
        }
        catch (JsonException)
        {
            return null; // a detail written by something else: the round starts from nothing known
        }
    }

    private static string Serialize(ProcessingDetail detail) => JsonSerializer.Serialize(detail, ProcessingJsonContext.Default.ProcessingDetail);

    /// <summary>Whether this delivery should arm a successor, and the one it armed.</summary>
    private sealed class Successor(bool wanted)
    {
        public bool Wanted { get; } = wanted;

        public ArmedCopy? Copy { get; set; }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Event {EventId} ({EventType}) processed: {Outcome} in {ElapsedMs:F1} ms, trace {TraceId}")]
    private static partial void LogCompleted(ILogger logger, string eventId, string eventType, string outcome, double elapsedMs, string traceId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Event {EventId} skipped: {ClaimStatus}")]
    private static partial void LogSkipped(ILogger logger, string eventId, ClaimStatus claimStatus);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Event {EventId} failed permanently: Connect {Kind} ({Status}), errorId {ErrorId}, codes {ErrorCodes}")]
    private static partial void LogPermanent(ILogger logger, string eventId, ConnectErrorKind kind, int? status, string? errorId, string errorCodes);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Event {EventId} will be retried: {What}: {Reason}")]
    private static partial void LogTransient(ILogger logger, string eventId, string what, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Event {EventId} hit an unexpected error; it will be retried")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string eventId);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Message {MessageId} is not a usable event ({Reason}); quarantined as {QuarantineId}")]
    private static partial void LogQuarantined(ILogger logger, string? messageId, string reason, string quarantineId);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Event {EventId} is held by another delivery or its next round is not due; a copy comes back in {DelaySeconds:F0} s")]
    private static partial void LogDeferred(ILogger logger, string eventId, double delaySeconds);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Event {EventId} was re-driven {Redrives} time(s) after its last delivery died, as often as Processing__MaxRedrives allows; should this delivery die too, it waits in the poison queue")]
    private static partial void LogRedrivesUsed(ILogger logger, string eventId, int redrives);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Event {EventId} failed permanently: {Reason}: {Detail}")]
    private static partial void LogPermanentOther(ILogger logger, string eventId, string reason, string detail);
}
