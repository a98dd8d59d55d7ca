using ConnectEvents.ConnectApi;
using ConnectEvents.Processing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Sessions;

/// <summary>The answer of a session or token operation: a success value, or a problem to answer with (status, title, field errors, Connect error ids).</summary>
/// <typeparam name="T">The success value.</typeparam>
public sealed record SessionOutcome<T>(T? Value, SessionProblem? Problem);

/// <summary>A problem answer: HTTP status, a title, the fields at fault, and Connect's error ids and codes (never its messages).</summary>
/// <param name="Status">The HTTP status to answer with.</param>
/// <param name="Title">One line saying what went wrong.</param>
/// <param name="Errors">Field → problems, for validation failures.</param>
/// <param name="ConnectErrorId">Connect's errorId, when Connect refused.</param>
/// <param name="ConnectErrors">Connect's error codes and ids (and the property at fault), without messages.</param>
/// <param name="RetryAfterSeconds">For 503: when to try again.</param>
public sealed record SessionProblem(int Status, string Title, IReadOnlyDictionary<string, string[]>? Errors = null, string? ConnectErrorId = null,
    IReadOnlyList<ConnectErrorView>? ConnectErrors = null, int? RetryAfterSeconds = null);

/// <summary>A Connect error as shown to the merchant's backend: code, id and property, not the message.</summary>
/// <param name="Code">The error code.</param>
/// <param name="Id">The error id.</param>
/// <param name="PropertyName">The request property at fault.</param>
public sealed record ConnectErrorView(string? Code, string? Id, string? PropertyName);

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
        var merchant = request is null ? null : ClientSessionValidation.ResolveMerchant(request.MerchantId, _connectOptions.CurrentValue.MerchantId, errors);
        if (errors.Count > 0)
        {
            return new(null, new SessionProblem(400, "The session request is invalid.", errors));
        }

        var customer = request!.CustomerReference!;
        try
        {
            var stored = await _vault.ListAsync(merchant!, customer, cancellationToken).ConfigureAwait(false);
            var ids = stored.Select(t => t.TokenId).ToList();
            var session = await _connect.CreateSessionAsync(merchant!, new SessionRequest
            {
                Tokens = ids.Count > 0 ? ids : null,
                PaymentProductFilters = Map(request.PaymentProductFilters),
            }, null, cancellationToken).ConfigureAwait(false);

            var invalid = new HashSet<string>(session.InvalidTokens ?? [], StringComparer.Ordinal);
            var removed = 0;
            foreach (var id in ids.Where(invalid.Contains))
            {
                if (await _vault.RemoveAsync(merchant!, customer, id, cancellationToken).ConfigureAwait(false))
                {
                    removed++;
                }
            }

            var offered = ids.Where(id => !invalid.Contains(id)).ToList();
            if (offered.Count > 0)
            {
                await _vault.MarkUsedAsync(merchant!, customer, offered, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }

            LogSession(_logger, merchant!, offered.Count, removed);
#pragma warning disable CS0618 // Region is deprecated by Connect but still passed through for older client SDKs.
            return new(new CreateClientSessionResponse(session.ClientSessionId, session.CustomerId, session.ClientApiUrl, session.AssetUrl, session.Region, offered, removed), null);
#pragma warning restore CS0618
        }
        catch (Exception ex) when (ex is ConnectApiException or StoreUnavailableException)
        {
            return new(null, Problem(ex, "create session"));
        }
    }

    /// <summary>The customer's stored tokens, newest first.</summary>
    public async Task<SessionOutcome<IReadOnlyList<StoredTokenView>>> ListAsync(string? merchantId, string customerReference, CancellationToken cancellationToken)
    {
        if (Check(merchantId, customerReference, out var merchant) is { } problem)
        {
            return new(null, problem);
        }

        try
        {
            var tokens = await _vault.ListAsync(merchant, customerReference, cancellationToken).ConfigureAwait(false);
            return new(tokens.Select(t => new StoredTokenView(t.TokenId, t.PaymentProductId, t.MaskedCard, t.CreatedAt, t.LastUsedAt)).ToList(), null);
        }
        catch (StoreUnavailableException ex)
        {
            return new(null, Problem(ex, "list tokens"));
        }
    }

    /// <summary>Deletes a token at Connect (already gone there counts as deleted) and then from the vault; false when the customer has no such token.</summary>
    public async Task<SessionOutcome<bool>> DeleteAsync(string? merchantId, string customerReference, string tokenId, CancellationToken cancellationToken)
    {
        if (Check(merchantId, customerReference, out var merchant) is { } problem)
        {
            return new(false, problem);
        }

        try
        {
            var tokens = await _vault.ListAsync(merchant, customerReference, cancellationToken).ConfigureAwait(false);
            if (!tokens.Any(t => t.TokenId == tokenId))
            {
                return new(false, null);
            }

            try
            {
                await _connect.DeleteTokenAsync(merchant, tokenId, new CallContext(CallContext.DeriveKey("delete-token", merchant, tokenId)), cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectApiException ex) when (ex.StatusCode is 404 or 410)
            {
                // Connect no longer has it: forgetting it here is all that is left to do.
            }

            await _vault.RemoveAsync(merchant, customerReference, tokenId, cancellationToken).ConfigureAwait(false);
            LogDeleted(_logger, merchant, tokenId);
            return new(true, null);
        }
        catch (Exception ex) when (ex is ConnectApiException or StoreUnavailableException)
        {
            return new(false, Problem(ex, "delete token"));
        }
    }

    private SessionProblem? Check(string? merchantId, string customerReference, out string merchant)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (ClientSessionValidation.CustomerReferenceProblem(customerReference) is { } p)
        {
            errors["customerReference"] = [p];
        }

        merchant = ClientSessionValidation.ResolveMerchant(merchantId, _connectOptions.CurrentValue.MerchantId, errors) ?? string.Empty;

        return errors.Count == 0 ? null : new SessionProblem(400, "The request is invalid.", errors);
    }

    private SessionProblem Problem(Exception ex, string operation)
    {
        if (ex is StoreUnavailableException || ex is ConnectApiException { IsTransient: true })
        {
            LogTransient(_logger, operation, ex.Message);
            return new SessionProblem(503, $"Could not {operation} right now; try again shortly.", RetryAfterSeconds: RetryAfterSeconds);
        }

        var connect = (ConnectApiException)ex;
        LogRefused(_logger, operation, connect.Kind, connect.StatusCode, connect.ErrorId, connect.ErrorCodes);
        var status = connect.StatusCode is >= 400 and < 500 and not 401 and not 407 ? connect.StatusCode.Value : 502;
        return new SessionProblem(status, $"Connect refused to {operation} ({connect.Kind}).", null, connect.ErrorId,
            connect.Errors.Select(e => new ConnectErrorView(e.Code, e.Id, e.PropertyName)).ToList());
    }

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

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Could not {Operation}, answering 503: {Reason}")]
    private static partial void LogTransient(ILogger logger, string operation, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Connect refused to {Operation}: {Kind} ({Status}), errorId {ErrorId}, codes {ErrorCodes}")]
    private static partial void LogRefused(ILogger logger, string operation, ConnectErrorKind kind, int? status, string? errorId, string errorCodes);
}
