using System.Diagnostics;
using System.Text.Json;
using ConnectEvents.ConnectApi;
using ConnectEvents.Events;
using ConnectEvents.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing.Handlers;

/// <summary>
/// payment.* events: reads the payment's current state from Connect (the event is only a hint), captures it when it is
/// PENDING_CAPTURE and authorized, and turns its card into a stored token when the tokenize policy says so. Every call
/// carries an idempotence key derived from the payment, never the event, so any redelivery or second event replays; an
/// operator replay (<see cref="ProcessingDetail.ReplayGeneration"/>) adds its generation, and the GET keeps it from acting twice.
/// </summary>
/// <param name="connect">The Connect client.</param>
/// <param name="vault">Where tokens are stored per customer.</param>
/// <param name="options">The capture and tokenize policy.</param>
/// <param name="time">The clock of stored tokens.</param>
/// <param name="logger">Logs each action with Connect's id.</param>
public sealed partial class PaymentHandler(IConnectClient connect, ITokenVault vault, IOptionsMonitor<ProcessingOptions> options, TimeProvider time, ILogger<PaymentHandler> logger)
    : IConnectFamilyHandler
{
    /// <inheritdoc />
    public string Family => "payment";

    /// <inheritdoc />
    public async Task<string> HandleAsync(ConnectEventEnvelope evt, ProcessingDetail detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(detail);
        if (evt.PaymentId is not { } paymentId)
        {
            return EventOutcomes.NoAction;
        }

        var policy = options.CurrentValue;
        var payment = await connect.GetPaymentAsync(evt.MerchantId, paymentId, null, cancellationToken);
        detail.StatusBefore = payment.Status;
        var outcomes = new List<string>(2);
        if (await CaptureAsync(evt, payment, paymentId, policy.AutoCapture, detail, cancellationToken))
        {
            outcomes.Add("captured");
        }

        if (await TokenizeAsync(evt, payment, paymentId, policy.Tokenize, detail, cancellationToken))
        {
            outcomes.Add("tokenized");
        }

        return outcomes.Count == 0 ? EventOutcomes.NoAction : string.Join('+', outcomes);
    }

    private async Task<bool> CaptureAsync(ConnectEventEnvelope evt, PaymentResponse payment, string paymentId, bool autoCapture, ProcessingDetail detail, CancellationToken ct)
    {
        if (payment.Status != "PENDING_CAPTURE")
        {
            return false;
        }

        if (!autoCapture)
        {
            detail.Notes.Add("auto-capture is off");
            return false;
        }

        if (payment.StatusOutput?.IsAuthorized == false)
        {
            detail.Notes.Add("PENDING_CAPTURE but not authorized: not captured");
            return false;
        }

        // A replayed event gets a key of its own: Connect would answer the first key with the refusal it stored. The GET
        // above is what keeps a replay from capturing twice: a captured payment is no longer PENDING_CAPTURE.
        var context = new CallContext(CallContext.DeriveKey("capture", evt.MerchantId, paymentId, detail.ReplayGeneration));
        var started = Stopwatch.GetTimestamp();
        var capture = await connect.CapturePaymentAsync(evt.MerchantId, paymentId, new CapturePaymentRequest(), context, ct);
        detail.Actions.Add(new("capture", capture.Id, capture.Status, context.WasReplayed, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        detail.StatusAfter = capture.Status;
        LogAction(logger, "capture", evt.Id, paymentId, capture.Id, context.WasReplayed);
        return true;
    }

    private async Task<bool> TokenizeAsync(ConnectEventEnvelope evt, PaymentResponse payment, string paymentId, TokenizeOptions tokenize, ProcessingDetail detail, CancellationToken ct)
    {
        if (!tokenize.Enabled)
        {
            return false;
        }

        var statuses = tokenize.Statuses.Count > 0 ? (IEnumerable<string>)tokenize.Statuses : TokenizeOptions.DefaultStatuses;
        var methods = tokenize.PaymentMethods.Count > 0 ? (IEnumerable<string>)tokenize.PaymentMethods : TokenizeOptions.DefaultPaymentMethods;
        var method = payment.PaymentOutput?.PaymentMethod;
        if (!statuses.Contains(payment.Status ?? string.Empty, StringComparer.OrdinalIgnoreCase) || !methods.Contains(method ?? string.Empty, StringComparer.OrdinalIgnoreCase))
        {
            detail.Notes.Add($"not tokenized: status {payment.Status}, method {method ?? "(none)"} not configured");
            return false;
        }

        if (CustomerReference(payment, tokenize.CustomerReferencePath) is not { } customer)
        {
            detail.Notes.Add($"not tokenized: the payment has no customer reference at {tokenize.CustomerReferencePath}");
            return false;
        }

        var merchant = evt.MerchantId;
        // Tokenizing a card again is harmless (Connect answers with the card's existing token), so a replay may go afresh too.
        var context = new CallContext(CallContext.DeriveKey("tokenize", merchant, paymentId, detail.ReplayGeneration));
        var started = Stopwatch.GetTimestamp();
        var token = await connect.CreateTokenFromPaymentAsync(merchant, paymentId, new TokenizePaymentRequest(), context, ct);
        if (string.IsNullOrEmpty(token.Token))
        {
            throw new ConnectApiException(ConnectErrorKind.Unknown, 200, "Connect answered tokenize without a token id.");
        }

        var card = payment.PaymentOutput?.CardPaymentMethodSpecificOutput;
        var added = await vault.AddAndTrimAsync(new StoredToken(merchant, customer, token.Token, card?.PaymentProductId, paymentId, time.GetUtcNow(), null, card?.Card?.CardNumber), ct);
        foreach (var dropped in added.Dropped)
        {
            // Over the per-customer cap: the oldest unused token goes, at Connect too, so no orphan stays usable there.
            await DeleteDroppedTokenAsync(merchant, dropped.TokenId, detail, ct);
        }

        detail.Actions.Add(new("tokenize", token.Token, token.IsNewToken == false ? "existing" : "new", context.WasReplayed, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        LogAction(logger, "tokenize", evt.Id, paymentId, token.Token, context.WasReplayed);
        return true;
    }

    private async Task DeleteDroppedTokenAsync(string merchant, string tokenId, ProcessingDetail detail, CancellationToken ct)
    {
        if (await vault.IsHeldAsync(merchant, tokenId, ct))
        {
            // Another customer paid with the same card: Connect's token is theirs too, so it stays there.
            detail.Notes.Add($"token {tokenId} dropped from this customer (cap) and kept at Connect: another customer holds it");
            return;
        }

        try
        {
            await connect.DeleteTokenAsync(merchant, tokenId, new CallContext(CallContext.DeriveKey("delete-token", merchant, tokenId)), ct);
            detail.Actions.Add(new("token-dropped", tokenId, "deleted", false, 0));
        }
        catch (ConnectApiException ex)
        {
            // Best effort: the vault no longer offers it; Connect expires unused tokens on its own.
            detail.Notes.Add($"token {tokenId} dropped from the vault (cap) but not deleted at Connect: {ex.Kind} {ex.StatusCode}");
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

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "{Action} for event {EventId} payment {PaymentId}: Connect id {ConnectId} (replayed: {Replayed})")]
    private static partial void LogAction(ILogger logger, string action, string eventId, string paymentId, string? connectId, bool replayed);
}
