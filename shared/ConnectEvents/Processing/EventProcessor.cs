using System.Diagnostics;
using System.Text.Json;
using ConnectEvents.ConnectApi;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using ConnectEvents.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>How a delivery ended, which decides what the trigger does with the message.</summary>
public enum ProcessingDisposition
{
    /// <summary>Acted (or decided no action was needed) and recorded it: complete the message.</summary>
    Completed,

    /// <summary>Already handled by an earlier delivery: complete the message.</summary>
    Skipped,

    /// <summary>Another delivery holds the event's lease: a copy was queued to come back once that lease can have expired; complete this message.</summary>
    Deferred,

    /// <summary>Connect refused for good (validation, declined, authorization, reference): recorded as Failed, complete the message.</summary>
    Failed,

    /// <summary>A transient failure: fail the invocation so the trigger delivers it again later.</summary>
    Retry,

    /// <summary>A transient failure on the last delivery: recorded as dead-lettered; fail the invocation so the trigger moves it aside.</summary>
    DeadLettered,
}

/// <summary>The result of one delivery.</summary>
/// <param name="Disposition">What the trigger should do.</param>
/// <param name="Summary">One line for the host's log.</param>
/// <param name="EventId">The Connect event id, when the body had one.</param>
/// <param name="Outcome">The recorded outcome (captured, no-action, connect-validation, quarantined, …), for metrics; null when nothing was recorded.</param>
public sealed record ProcessingResult(ProcessingDisposition Disposition, string Summary, string? EventId, string? Outcome = null)
{
    /// <summary>True when the message is done with (the invocation answers 2xx).</summary>
    public bool IsSuccess => Disposition is ProcessingDisposition.Completed or ProcessingDisposition.Skipped or ProcessingDisposition.Deferred or ProcessingDisposition.Failed;
}

/// <summary>A seam for fault-injection tests: called after each side effect, before the record is completed.</summary>
public interface IProcessingHooks
{
    /// <summary>Called after <paramref name="action"/> succeeded for <paramref name="eventId"/>.</summary>
    ValueTask AfterActionAsync(string action, string eventId, CancellationToken cancellationToken);
}

/// <summary>
/// Acts on one Connect event exactly once: claims its id in the processed-event store, reads the authoritative state from
/// Connect, captures and tokenizes with idempotence keys derived from the payment (never the event), and records the outcome.
/// </summary>
public sealed partial class EventProcessor
{
    // Each delivery is its own lease owner: two deliveries in one process must exclude each other too.
    private static readonly string OwnerPrefix = $"{Environment.MachineName}/{Environment.ProcessId}/";
    private readonly IProcessedEventStore _store;
    private readonly ITokenVault _vault;
    private readonly IConnectClient _connect;
    private readonly IQuarantineStore _quarantine;
    private readonly IOptionsMonitor<ProcessingOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EventProcessor> _logger;
    private readonly IProcessingHooks? _hooks;
    private readonly IDeliveryDeferral _deferral;

    /// <summary>Creates the processor.</summary>
    public EventProcessor(IProcessedEventStore store, ITokenVault vault, IConnectClient connect, IQuarantineStore quarantine, IDeliveryDeferral deferral,
        IOptionsMonitor<ProcessingOptions> options, TimeProvider time, ILogger<EventProcessor> logger, IProcessingHooks? hooks = null)
    {
        _deferral = deferral;
        _store = store;
        _vault = vault;
        _connect = connect;
        _quarantine = quarantine;
        _options = options;
        _time = time;
        _logger = logger;
        _hooks = hooks;
    }

    /// <summary>Processes one delivery. Never throws for bad input or transient trouble: the result says what the trigger should do.</summary>
    public async Task<ProcessingResult> ProcessAsync(TriggerMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var options = _options.CurrentValue;
        var started = Stopwatch.GetTimestamp();
        var parsed = ConnectEventEnvelope.Parse(message.Body.Span);
        if (parsed.Envelope is not { } envelope)
        {
            return await QuarantineAsync(message, parsed.Error ?? "unreadable event", cancellationToken);
        }

        var paymentId = envelope.ResourceType == "payment" ? envelope.ResourceId : null;
        var lastDelivery = message.DeliveryCount >= options.MaxDequeueCount;
        using var scope = _logger.BeginScope(new Dictionary<string, object?>
        {
            ["EventId"] = envelope.Id, ["EventType"] = envelope.Type, ["MerchantId"] = envelope.MerchantId, ["PaymentId"] = paymentId, ["Delivery"] = message.DeliveryCount,
        });

        ClaimResult claim;
        try
        {
            claim = await _store.ClaimAsync(envelope.Id, OwnerPrefix + Guid.NewGuid().ToString("N"), options.LeaseDuration, new EventClaimInfo(envelope.Type, envelope.MerchantId, paymentId), cancellationToken);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or Azure.RequestFailedException)
        {
            LogTransient(_logger, envelope.Id, "the processed-event store is unavailable", ex.Message);
            return new(ProcessingDisposition.Retry, $"event {envelope.Id}: store unavailable, retry later", envelope.Id);
        }

        switch (claim.Status)
        {
            case ClaimStatus.AlreadyCompleted or ClaimStatus.AlreadyFailed:
                LogSkipped(_logger, envelope.Id, claim.Status);
                return new(ProcessingDisposition.Skipped, $"event {envelope.Id}: {claim.Status}, skipped", envelope.Id);
            case ClaimStatus.InProgressElsewhere when lastDelivery:
                // Never the end of the event: its holder may have died. Come back when its lease can have run out, as a
                // new message with a budget of its own; the claim then takes an expired lease over.
                return await DeferAsync(message, envelope.Id, claim.Record?.LeaseExpiresAt, cancellationToken);
            case ClaimStatus.InProgressElsewhere:
                // Usually a duplicate in flight whose holder finishes soon: the trigger's next delivery will see the outcome.
                return new(ProcessingDisposition.Retry, $"event {envelope.Id}: in progress elsewhere, retry later", envelope.Id);
        }

        var record = claim.Record!;
        var detail = new ProcessingDetail { Delivery = message.DeliveryCount };
        try
        {
            var outcome = envelope.Family switch
            {
                "payment" when paymentId is not null => await HandlePaymentAsync(envelope, paymentId, options, detail, cancellationToken),
                "token" when envelope.Type is "token.deleted" or "token.expired" && envelope.ResourceId is { } tokenId =>
                    await HandleTokenGoneAsync(envelope, tokenId, detail, cancellationToken),
                _ => "no-action",
            };
            detail.ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await _store.CompleteAsync(record, outcome, Serialize(detail), cancellationToken);
            LogCompleted(_logger, envelope.Id, envelope.Type, outcome, detail.ElapsedMs);
            return new(ProcessingDisposition.Completed, $"event {envelope.Id} ({envelope.Type}): {outcome}", envelope.Id, outcome);
        }
        catch (ConnectApiException ex) when (!ex.IsTransient)
        {
            detail.Errors = [.. ex.Errors];
            detail.ErrorId = ex.ErrorId;
            detail.ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogPermanent(_logger, envelope.Id, ex.Kind, ex.StatusCode, ex.ErrorId, ex.ErrorCodes);
            return await FailPermanentlyAsync(record, envelope.Id, $"connect-{ex.Kind.ToString().ToLowerInvariant()}", detail, lastDelivery, cancellationToken);
        }
        catch (LeaseLostException)
        {
            // Another delivery took the event over after our lease ran out; every action was idempotent, it records the outcome.
            return new(ProcessingDisposition.Skipped, $"event {envelope.Id}: lease lost to another delivery", envelope.Id);
        }
        catch (Exception ex) when (ex is ConnectApiException or StoreUnavailableException or Azure.RequestFailedException or HttpRequestException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogTransient(_logger, envelope.Id, ex is ConnectApiException c ? $"Connect {c.Kind}" : "storage", ex.Message);
            return await GiveBackAsync(record, envelope.Id, ex, lastDelivery);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Unexpected (a bug, an injected crash): never lose the event, let the trigger deliver it again.
            LogUnexpected(_logger, ex, envelope.Id);
            return await GiveBackAsync(record, envelope.Id, ex, lastDelivery);
        }
    }

    private async Task<string> HandlePaymentAsync(ConnectEventEnvelope envelope, string paymentId, ProcessingOptions options, ProcessingDetail detail, CancellationToken ct)
    {
        var merchant = envelope.MerchantId;
        var payment = await _connect.GetPaymentAsync(merchant, paymentId, null, ct);
        detail.StatusBefore = payment.Status;
        var outcomes = new List<string>(2);

        if (options.AutoCapture && payment.Status == "PENDING_CAPTURE")
        {
            if (payment.StatusOutput?.IsAuthorized == false)
            {
                detail.Notes.Add("PENDING_CAPTURE but not authorized: not captured");
            }
            else
            {
                var context = new CallContext(CallContext.DeriveKey("capture", merchant, paymentId));
                var t = Stopwatch.GetTimestamp();
                var capture = await _connect.CapturePaymentAsync(merchant, paymentId, new CapturePaymentRequest(), context, ct);
                detail.Actions.Add(new("capture", capture.Id, capture.Status, context.WasReplayed, Stopwatch.GetElapsedTime(t).TotalMilliseconds));
                detail.StatusAfter = capture.Status;
                outcomes.Add("captured");
                LogAction(_logger, "capture", envelope.Id, paymentId, capture.Id, context.WasReplayed);
                if (_hooks is not null)
                {
                    await _hooks.AfterActionAsync("capture", envelope.Id, ct);
                }
            }
        }
        else if (payment.Status == "PENDING_CAPTURE")
        {
            detail.Notes.Add("auto-capture is off");
        }

        var tokenize = options.Tokenize;
        if (tokenize.Enabled)
        {
            var statuses = tokenize.Statuses.Count > 0 ? (IEnumerable<string>)tokenize.Statuses : TokenizeOptions.DefaultStatuses;
            var methods = tokenize.PaymentMethods.Count > 0 ? (IEnumerable<string>)tokenize.PaymentMethods : TokenizeOptions.DefaultPaymentMethods;
            var method = payment.PaymentOutput?.PaymentMethod;
            if (!statuses.Contains(payment.Status ?? string.Empty, StringComparer.OrdinalIgnoreCase) || !methods.Contains(method ?? string.Empty, StringComparer.OrdinalIgnoreCase))
            {
                detail.Notes.Add($"not tokenized: status {payment.Status}, method {method ?? "(none)"} not configured");
            }
            else if (CustomerReference(payment, tokenize.CustomerReferencePath) is not { } customer)
            {
                detail.Notes.Add($"not tokenized: the payment has no customer reference at {tokenize.CustomerReferencePath}");
            }
            else
            {
                var context = new CallContext(CallContext.DeriveKey("tokenize", merchant, paymentId));
                var t = Stopwatch.GetTimestamp();
                var token = await _connect.CreateTokenFromPaymentAsync(merchant, paymentId, new TokenizePaymentRequest(), context, ct);
                if (string.IsNullOrEmpty(token.Token))
                {
                    throw new ConnectApiException(ConnectErrorKind.Unknown, 200, "Connect answered tokenize without a token id.");
                }

                var card = payment.PaymentOutput?.CardPaymentMethodSpecificOutput;
                var added = await _vault.AddAndTrimAsync(new StoredToken(merchant, customer, token.Token, card?.PaymentProductId, paymentId, _time.GetUtcNow(), null, card?.Card?.CardNumber), ct);
                foreach (var dropped in added.Dropped)
                {
                    // Over the per-customer cap: the oldest unused token goes, at Connect too, so no orphan stays usable there.
                    await DeleteDroppedTokenAsync(merchant, dropped.TokenId, detail, ct);
                }

                detail.Actions.Add(new("tokenize", token.Token, token.IsNewToken == false ? "existing" : "new", context.WasReplayed, Stopwatch.GetElapsedTime(t).TotalMilliseconds));
                outcomes.Add("tokenized");
                LogAction(_logger, "tokenize", envelope.Id, paymentId, token.Token, context.WasReplayed);
                if (_hooks is not null)
                {
                    await _hooks.AfterActionAsync("tokenize", envelope.Id, ct);
                }
            }
        }

        return outcomes.Count == 0 ? "no-action" : string.Join('+', outcomes);
    }

    private async Task DeleteDroppedTokenAsync(string merchant, string tokenId, ProcessingDetail detail, CancellationToken ct)
    {
        try
        {
            await _connect.DeleteTokenAsync(merchant, tokenId, new CallContext(CallContext.DeriveKey("delete-token", merchant, tokenId)), ct);
            detail.Actions.Add(new("token-dropped", tokenId, "deleted", false, 0));
        }
        catch (ConnectApiException ex)
        {
            // Best effort: the vault no longer offers it; Connect expires unused tokens on its own.
            detail.Notes.Add($"token {tokenId} dropped from the vault (cap) but not deleted at Connect: {ex.Kind} {ex.StatusCode}");
        }
    }

    private async Task<string> HandleTokenGoneAsync(ConnectEventEnvelope envelope, string tokenId, ProcessingDetail detail, CancellationToken ct)
    {
        var removed = await _vault.RemoveEverywhereAsync(envelope.MerchantId, tokenId, ct);
        detail.Actions.Add(new("token-removed", tokenId, removed.ToString(System.Globalization.CultureInfo.InvariantCulture), false, 0));
        return removed > 0 ? "token-removed" : "no-action";
    }

    private async Task<ProcessingResult> FailPermanentlyAsync(ProcessedEventRecord record, string eventId, string reason, ProcessingDetail detail, bool lastDelivery, CancellationToken ct)
    {
        try
        {
            await _store.FailAsync(record, reason, Serialize(detail), ct);
            return new(ProcessingDisposition.Failed, $"event {eventId}: failed permanently ({reason}), recorded", eventId, reason);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or LeaseLostException)
        {
            return ex is LeaseLostException
                ? new(ProcessingDisposition.Skipped, $"event {eventId}: lease lost to another delivery", eventId)
                : await GiveBackAsync(record, eventId, ex, lastDelivery);
        }
    }

    private async Task<ProcessingResult> GiveBackAsync(ProcessedEventRecord record, string eventId, Exception error, bool lastDelivery)
    {
        var reason = $"{error.GetType().Name}: {error.Message}";
        try
        {
            if (lastDelivery)
            {
                await _store.MarkDeadLetteredAsync(eventId, $"poisoned after the last delivery: {reason}", CancellationToken.None);
                return new(ProcessingDisposition.DeadLettered, $"event {eventId}: last delivery failed, poisoned: {reason}", eventId);
            }

            // End the lease now so the next delivery can take over at once instead of waiting for it to expire.
            await _store.ReleaseAsync(record, reason, CancellationToken.None);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or LeaseLostException or Azure.RequestFailedException)
        {
            // The lease expires on its own; the trigger still redelivers.
        }

        return new(lastDelivery ? ProcessingDisposition.DeadLettered : ProcessingDisposition.Retry, $"event {eventId}: retry later: {reason}", eventId);
    }

    private async Task<ProcessingResult> DeferAsync(TriggerMessage message, string eventId, DateTimeOffset? leaseExpiresAt, CancellationToken ct)
    {
        // One second past the lease: the claim compares against the store's clock, and a little margin costs nothing.
        var remaining = (leaseExpiresAt ?? _time.GetUtcNow()) - _time.GetUtcNow();
        var delay = (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) + TimeSpan.FromSeconds(1);
        try
        {
            await _deferral.DeferAsync(message.Body, delay, ct);
        }
        catch (EventPublishException ex)
        {
            // Not deferred: fail this delivery instead, so the trigger redelivers it (or poisons it, replayable, after the last).
            LogTransient(_logger, eventId, "the deferred copy could not be queued", ex.Message);
            return new(ProcessingDisposition.Retry, $"event {eventId}: in progress elsewhere and not deferred, retry later", eventId);
        }

        LogDeferred(_logger, eventId, delay.TotalSeconds);
        return new(ProcessingDisposition.Deferred, $"event {eventId}: in progress elsewhere, delivered again in {delay.TotalSeconds:F0} s", eventId);
    }

    private async Task<ProcessingResult> QuarantineAsync(TriggerMessage message, string reason, CancellationToken ct)
    {
        try
        {
            var id = Guid.NewGuid().ToString("N");
            var headers = new Dictionary<string, string> { ["X-Trigger-MessageId"] = message.MessageId ?? string.Empty };
            await _quarantine.StoreAsync(new QuarantinedEvent(id, $"processor: {reason}", null, _time.GetUtcNow(), headers, message.Body.ToArray()), ct);
            LogQuarantined(_logger, message.MessageId, reason, id);
            return new(ProcessingDisposition.Completed, $"message {message.MessageId}: unusable ({reason}), quarantined as {id}", null, "quarantined");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new(ProcessingDisposition.Retry, $"message {message.MessageId}: unusable ({reason}) and the quarantine failed: {ex.Message}", null);
        }
    }

    private static string? CustomerReference(PaymentResponse payment, string path)
    {
        var node = JsonSerializer.SerializeToElement(payment, ConnectJsonContext.Default.PaymentResponse);
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(part, out node))
            {
                return null;
            }
        }

        var value = node.ValueKind switch
        {
            JsonValueKind.String => node.GetString(),
            JsonValueKind.Number => node.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static string Serialize(ProcessingDetail detail) => JsonSerializer.Serialize(detail, ProcessingJsonContext.Default.ProcessingDetail);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Event {EventId} ({EventType}) processed: {Outcome} in {ElapsedMs:F1} ms")]
    private static partial void LogCompleted(ILogger logger, string eventId, string eventType, string outcome, double elapsedMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Event {EventId} skipped: {ClaimStatus}")]
    private static partial void LogSkipped(ILogger logger, string eventId, ClaimStatus claimStatus);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "{Action} for event {EventId} payment {PaymentId}: Connect id {ConnectId} (replayed: {Replayed})")]
    private static partial void LogAction(ILogger logger, string action, string eventId, string paymentId, string? connectId, bool replayed);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Event {EventId} failed permanently: Connect {Kind} ({Status}), errorId {ErrorId}, codes {ErrorCodes}")]
    private static partial void LogPermanent(ILogger logger, string eventId, ConnectErrorKind kind, int? status, string? errorId, string errorCodes);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Event {EventId} will be retried: {What}: {Reason}")]
    private static partial void LogTransient(ILogger logger, string eventId, string what, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Event {EventId} hit an unexpected error; it will be retried")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string eventId);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Event {EventId} is held by another delivery; a copy comes back in {DelaySeconds:F0} s, when that lease can have expired")]
    private static partial void LogDeferred(ILogger logger, string eventId, double delaySeconds);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Message {MessageId} is not a usable Connect event ({Reason}); quarantined as {QuarantineId}")]
    private static partial void LogQuarantined(ILogger logger, string? messageId, string reason, string quarantineId);
}
