using ConnectEvents.ConnectApi;
using ConnectEvents.Storage;
using ConnectEvents.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Sessions;

/// <summary>
/// Creates Client API sessions that offer a customer's stored tokens, forgets the tokens Connect reports invalid, and
/// lets operators list and delete a customer's tokens (deleting them at Connect too).
/// </summary>
public sealed partial class ClientSessionService
{
    private const int RetryAfterSeconds = 5;
    private readonly ITokenVault _vault;
    private readonly IConnectClient _connect;
    private readonly IOptionsMonitor<ConnectOptions> _connectOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<ClientSessionService> _logger;

    /// <summary>Creates the service.</summary>
    public ClientSessionService(ITokenVault vault, IConnectClient connect, IOptionsMonitor<ConnectOptions> connectOptions, TimeProvider time, ILogger<ClientSessionService> logger)
    {
        _vault = vault;
        _connect = connect;
        _connectOptions = connectOptions;
        _time = time;
        _logger = logger;
    }

    /// <summary>Validates, loads the customer's tokens, creates the session, forgets invalid tokens, marks the offered ones used.</summary>
    public async Task<SessionOutcome<CreateClientSessionResponse>> CreateAsync(CreateClientSessionRequest? request, CancellationToken cancellationToken)
    {
        var errors = ClientSessionValidation.Validate(request);
        if (errors.Count > 0)
        {
            return new(null, new SessionProblem(400, "The session request is invalid.", errors));
        }

        if (Merchant() is not { } merchant)
        {
            return new(null, NotConfigured());
        }

        var customer = request!.CustomerReference!;
        try
        {
            var stored = await _vault.ListAsync(merchant, customer, cancellationToken);
            var ids = stored.Select(t => t.TokenId).ToList();
            var session = await _connect.CreateSessionAsync(merchant, new SessionRequest
            {
                Tokens = ids.Count > 0 ? ids : null,
                PaymentProductFilters = Map(request.PaymentProductFilters),
            }, null, cancellationToken);

            // Checked before the vault changes: an answer we cannot hand on must not cost the customer stored tokens.
            if (MissingParts(session) is { Count: > 0 } missing)
            {
                LogIncompleteSession(_logger, merchant, string.Join(',', missing));
                return new(null, new SessionProblem(502, $"Connect's session answer lacks {string.Join(", ", missing)}."));
            }

            var invalid = new HashSet<string>(session.InvalidTokens ?? [], StringComparer.Ordinal);
            var removed = 0;
            foreach (var id in ids.Where(invalid.Contains))
            {
                if (await _vault.RemoveAsync(merchant, customer, id, cancellationToken))
                {
                    removed++;
                }
            }

            var offered = ids.Where(id => !invalid.Contains(id)).ToList();
            if (offered.Count > 0)
            {
                await _vault.MarkUsedAsync(merchant, customer, offered, _time.GetUtcNow(), cancellationToken);
            }

            LogSession(_logger, merchant, offered.Count, removed);
#pragma warning disable CS0618 // Region is deprecated by Connect but still passed through for older client SDKs.
            return new(new CreateClientSessionResponse(session.ClientSessionId!, session.CustomerId!, session.ClientApiUrl!, session.AssetUrl!, session.Region, offered, removed), null);
#pragma warning restore CS0618
        }
        catch (Exception ex) when (ex is ConnectApiException or StoreUnavailableException)
        {
            return new(null, Problem(ex, SessionOperation.CreateSession));
        }
    }

    /// <summary>The customer's stored tokens, newest first.</summary>
    public async Task<SessionOutcome<IReadOnlyList<StoredTokenView>>> ListAsync(string customerReference, CancellationToken cancellationToken)
    {
        if (Check(customerReference, null, out var merchant) is { } problem)
        {
            return new(null, problem);
        }

        try
        {
            var tokens = await _vault.ListAsync(merchant, customerReference, cancellationToken);
            return new(tokens.Select(t => new StoredTokenView(t.TokenId, t.PaymentProductId, t.MaskedCard, t.CreatedAt, t.LastUsedAt)).ToList(), null);
        }
        catch (StoreUnavailableException ex)
        {
            LogUnavailable(_logger, "list tokens", ex.Message);
            return new(null, Unavailable("list tokens"));
        }
    }

    /// <summary>Deletes a token at Connect (already gone there counts as deleted) and then from the vault; false when the customer has no such token.</summary>
    public async Task<SessionOutcome<bool>> DeleteAsync(string customerReference, string tokenId, CancellationToken cancellationToken)
    {
        if (Check(customerReference, tokenId, out var merchant) is { } problem)
        {
            return new(false, problem);
        }

        try
        {
            var tokens = await _vault.ListAsync(merchant, customerReference, cancellationToken);
            if (!tokens.Any(t => t.TokenId == tokenId))
            {
                return new(false, null);
            }

            if (await _vault.IsHeldByAnotherAsync(merchant, tokenId, customerReference, cancellationToken))
            {
                // Connect has one token per card: another customer who paid with the same card still uses it, so only this
                // customer forgets it. (A holder added between this check and Connect's delete is the same race a
                // tokenization's trim accepts; its next payment then tokenizes afresh.)
                await _vault.RemoveAsync(merchant, customerReference, tokenId, cancellationToken);
                LogKeptAtConnect(_logger, merchant, tokenId);
                return new(true, null);
            }

            try
            {
                await _connect.DeleteTokenAsync(merchant, tokenId, new CallContext(CallContext.DeriveKey("delete-token", merchant, tokenId)), cancellationToken);
            }
            catch (ConnectApiException ex) when (ConnectFailureMap.Map(ex, SessionOperation.DeleteToken).Status == 204)
            {
                // Connect no longer has it: forgetting it here is all that is left to do.
            }

            await _vault.RemoveAsync(merchant, customerReference, tokenId, cancellationToken);
            LogDeleted(_logger, merchant, tokenId);
            return new(true, null);
        }
        catch (Exception ex) when (ex is ConnectApiException or StoreUnavailableException)
        {
            return new(false, Problem(ex, SessionOperation.DeleteToken));
        }
    }

    /// <summary>What the contract promises that Connect's answer lacks (empty, or not an absolute http(s) URL for the URLs).</summary>
    private static List<string> MissingParts(SessionResponse session)
    {
        var missing = new List<string>(4);
        if (string.IsNullOrWhiteSpace(session.ClientSessionId))
        {
            missing.Add("clientSessionId");
        }

        if (string.IsNullOrWhiteSpace(session.CustomerId))
        {
            missing.Add("customerId");
        }

        if (!IsHttpUrl(session.ClientApiUrl))
        {
            missing.Add("clientApiUrl");
        }

        if (!IsHttpUrl(session.AssetUrl))
        {
            missing.Add("assetUrl");
        }

        return missing;
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private SessionProblem? Check(string customerReference, string? tokenId, out string merchant)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (ClientSessionValidation.CustomerReferenceProblem(customerReference) is { } p)
        {
            errors["customerReference"] = [p];
        }

        if (tokenId is not null && ClientSessionValidation.TokenIdProblem(tokenId) is { } t)
        {
            errors["tokenId"] = [t];
        }

        merchant = Merchant() ?? string.Empty;
        return errors.Count > 0 ? new SessionProblem(400, "The request is invalid.", errors)
            : merchant.Length == 0 ? NotConfigured()
            : null;
    }

    /// <summary>The configured merchant (<c>Connect__MerchantId</c>): the only merchant these routes act for.</summary>
    private string? Merchant() => _connectOptions.CurrentValue.MerchantId is { } m && !string.IsNullOrWhiteSpace(m) ? m : null;

    private SessionProblem NotConfigured()
    {
        LogNotConfigured(_logger);
        return new SessionProblem(500, "The merchant is not configured (Connect__MerchantId).");
    }

    private SessionProblem Problem(Exception ex, SessionOperation operation)
    {
        var what = operation == SessionOperation.CreateSession ? "create the session" : "delete the token";
        if (ex is not ConnectApiException connect)
        {
            LogUnavailable(_logger, what, ex.Message);
            return Unavailable(what);
        }

        var answer = ConnectFailureMap.Map(connect, operation);
        LogConnectFailure(_logger, answer.Level, what, answer.Status, connect.Kind, connect.StatusCode, connect.ErrorId, connect.ErrorCodes);
        return new SessionProblem(answer.Status, $"Could not {what}: {answer.Reason}.", null, answer.Status is 503 ? null : connect.ErrorId,
            answer.ShowsConnectErrors ? connect.Errors.Select(e => new ConnectErrorView(e.Code, e.Id, e.PropertyName)).ToList() : null,
            answer.RetryLater ? RetryAfterSeconds : null);
    }

    private static SessionProblem Unavailable(string what) => new(503, $"Could not {what} right now; try again shortly.", RetryAfterSeconds: RetryAfterSeconds);

    private static PaymentProductFiltersClientSession? Map(ProductFilters? filters) => filters is null ? null : new()
    {
        RestrictTo = Map(filters.RestrictTo),
        Exclude = Map(filters.Exclude),
    };

    private static PaymentProductFilter? Map(ProductFilter? filter) => filter is null ? null : new() { Groups = filter.Groups, Products = filter.Products };

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Client session created for merchant {MerchantId}: {Offered} stored tokens offered, {Removed} invalid tokens forgotten")]
    private static partial void LogSession(ILogger logger, string merchantId, int offered, int removed);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Token {TokenId} of merchant {MerchantId} deleted at Connect and from the vault")]
    private static partial void LogDeleted(ILogger logger, string merchantId, string tokenId);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Token {TokenId} of merchant {MerchantId} forgotten for one customer and kept at Connect: another customer holds it")]
    private static partial void LogKeptAtConnect(ILogger logger, string merchantId, string tokenId);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Could not {Operation}, answering 503: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string operation, string reason);

    [LoggerMessage(EventId = 5004, Message = "Could not {Operation}, answering {Answer}: Connect {Kind} ({Status}), errorId {ErrorId}, codes {ErrorCodes}")]
    private static partial void LogConnectFailure(ILogger logger, LogLevel level, string operation, int answer, ConnectErrorKind kind, int? status, string? errorId, string errorCodes);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Error, Message = "Connect's session answer for merchant {MerchantId} lacks {Missing}; answering 502")]
    private static partial void LogIncompleteSession(ILogger logger, string merchantId, string missing);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "Connect__MerchantId is not configured: the session and token routes cannot act")]
    private static partial void LogNotConfigured(ILogger logger);
}
