using System.Collections.Concurrent;
using System.Net;
using Azure;
using ConnectEvents.ConnectApi;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Processing;
using ConnectEvents.Tokens;

namespace ConnectEvents.UnitTests.Processing;

/// <summary>The processed-event store's rules (insert-first claim with a lease, ETag-like versions) in memory.</summary>
internal sealed class InMemoryProcessedEventStore(TimeProvider time) : IProcessedEventStore
{
    private readonly ConcurrentDictionary<string, ProcessedEventRecord> _records = new(StringComparer.Ordinal);
    private int _version;

    public ProcessedEventRecord? this[string eventId] => _records.GetValueOrDefault(eventId);

    /// <summary>Puts a record in place as another owner left it.</summary>
    public void Seed(ProcessedEventRecord record) => _records[record.EventId] = record;

    public Task<ReopenResult> ReopenAsync(string eventId, CancellationToken ct) => throw new NotSupportedException("replay is not a processor decision");

    public Task<ClaimResult> ClaimAsync(string eventId, string owner, TimeSpan lease, EventClaimInfo info, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_records.TryGetValue(eventId, out var existing) && ClaimRule.Refusal(existing, owner, now, info.Recurrence) is { } refusal)
        {
            return Task.FromResult(refusal);
        }

        var claimed = (existing is null ? ClaimRule.Fresh(eventId, owner, now, lease, info) : ClaimRule.Takeover(existing, owner, now, lease, info)) with { ETag = NextETag() };
        _records[eventId] = claimed;
        return Task.FromResult(new ClaimResult(ClaimStatus.Claimed, claimed));
    }

    public Task CompleteAsync(ProcessedEventRecord claimed, string outcome, string? detailJson, CancellationToken ct) =>
        Replace(claimed, r => r with { State = ProcessingState.Completed, Outcome = outcome, DetailJson = detailJson, LeaseExpiresAt = null, CompletedAt = time.GetUtcNow() });

    public Task FailAsync(ProcessedEventRecord claimed, string reason, string? detailJson, CancellationToken ct) =>
        Replace(claimed, r => r with { State = ProcessingState.Failed, Outcome = reason, DetailJson = detailJson, LeaseExpiresAt = null, CompletedAt = time.GetUtcNow() });

    public Task MarkDeadLetteredAsync(string eventId, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        _records.AddOrUpdate(eventId,
            id => new ProcessedEventRecord(id, ProcessingState.DeadLettered, null, null, 0, null, null, null, reason, null, now, now, NextETag()),
            (_, r) => r.State is ProcessingState.Completed or ProcessingState.Failed ? r : r with { State = ProcessingState.DeadLettered, Outcome = reason, LeaseExpiresAt = null, CompletedAt = now, ETag = NextETag() });
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(ProcessedEventRecord claimed, string? lastError, CancellationToken ct)
    {
        if (_records.TryGetValue(claimed.EventId, out var current) && current.ETag == claimed.ETag)
        {
            _records[claimed.EventId] = current with { LeaseExpiresAt = time.GetUtcNow(), LastError = lastError, ETag = NextETag() };
        }

        return Task.CompletedTask;
    }

    public Task<ProcessedEventRecord?> GetAsync(string eventId, CancellationToken ct) => Task.FromResult(this[eventId]);

    private Task Replace(ProcessedEventRecord claimed, Func<ProcessedEventRecord, ProcessedEventRecord> change)
    {
        if (!_records.TryGetValue(claimed.EventId, out var current) || current.ETag != claimed.ETag)
        {
            throw new LeaseLostException("taken over");
        }

        _records[claimed.EventId] = change(current) with { ETag = NextETag() };
        return Task.CompletedTask;
    }

    private ETag NextETag() => new(Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>The token vault in memory, without a per-customer cap.</summary>
internal sealed class InMemoryTokenVault : ITokenVault
{
    private readonly List<StoredToken> _tokens = [];

    public IReadOnlyList<StoredToken> Tokens => _tokens;

    public Task<bool> AddAsync(StoredToken token, CancellationToken ct) => Task.FromResult(Add(token));

    public Task<TokenAddResult> AddAndTrimAsync(StoredToken token, CancellationToken ct) => Task.FromResult(new TokenAddResult(Add(token), []));

    public Task<IReadOnlyList<StoredToken>> ListAsync(string merchantId, string customerReference, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<StoredToken>>(_tokens.Where(t => t.MerchantId == merchantId && t.CustomerReference == customerReference).ToList());

    public Task<bool> RemoveAsync(string merchantId, string customerReference, string tokenId, CancellationToken ct) =>
        Task.FromResult(_tokens.RemoveAll(t => t.MerchantId == merchantId && t.CustomerReference == customerReference && t.TokenId == tokenId) > 0);

    public Task<bool> IsHeldAsync(string merchantId, string tokenId, CancellationToken ct) =>
        Task.FromResult(_tokens.Exists(t => t.MerchantId == merchantId && t.TokenId == tokenId));

    public Task<bool> IsHeldByAnotherAsync(string merchantId, string tokenId, string customerReference, CancellationToken ct) =>
        Task.FromResult(_tokens.Exists(t => t.MerchantId == merchantId && t.TokenId == tokenId && t.CustomerReference != customerReference));

    public Task<int> RemoveEverywhereAsync(string merchantId, string tokenId, CancellationToken ct) =>
        Task.FromResult(_tokens.RemoveAll(t => t.MerchantId == merchantId && t.TokenId == tokenId));

    public Task MarkUsedAsync(string merchantId, string customerReference, IEnumerable<string> tokenIds, DateTimeOffset usedAt, CancellationToken ct) => Task.CompletedTask;

    private bool Add(StoredToken token)
    {
        if (_tokens.Any(t => t.MerchantId == token.MerchantId && t.CustomerReference == token.CustomerReference && t.TokenId == token.TokenId))
        {
            return false;
        }

        _tokens.Add(token);
        return true;
    }
}

/// <summary>
/// A Connect client with one payment and a scripted answer: <c>ok</c>, or <c>call:answer</c> where call is get, capture or
/// tokenize and answer an HTTP status (<c>409-1409</c> for an idempotent request still running) or <c>timeout</c>.
/// </summary>
internal sealed class ScriptedConnectClient(PaymentResponse payment, string answer) : IConnectClient
{
    public List<string> Calls { get; } = [];

    public Task<PaymentResponse> GetPaymentAsync(string merchantId, string paymentId, CallContext? context = null, CancellationToken cancellationToken = default) =>
        Answer("get", context, () => payment);

    public Task<CaptureResponse> CapturePaymentAsync(string merchantId, string paymentId, CapturePaymentRequest request, CallContext? context = null, CancellationToken cancellationToken = default) =>
        Answer("capture", context, () => new CaptureResponse { Id = paymentId + "-1", Status = "CAPTURE_REQUESTED" });

    public Task<CreateTokenResponse> CreateTokenFromPaymentAsync(string merchantId, string paymentId, TokenizePaymentRequest request, CallContext? context = null, CancellationToken cancellationToken = default) =>
        Answer("tokenize", context, () => new CreateTokenResponse { Token = "tok-" + paymentId, IsNewToken = true });

    public Task<SessionResponse> CreateSessionAsync(string merchantId, SessionRequest request, CallContext? context = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task DeleteTokenAsync(string merchantId, string tokenId, CallContext? context = null, CancellationToken cancellationToken = default) =>
        Answer("delete-token", context, () => true);

    private Task<T> Answer<T>(string call, CallContext? context, Func<T> ok)
    {
        Calls.Add(call);
        var parts = answer.Split(':');
        if (parts.Length != 2 || parts[0] != call)
        {
            return Task.FromResult(ok());
        }

        var key = context?.IdempotenceKey;
        return Task.FromException<T>(parts[1] switch
        {
            "timeout" => ConnectApiException.Communication(call + ": timeout", new TimeoutException(), key),
            "409-1409" => ConnectApiException.FromResponse(HttpStatusCode.Conflict, """{"errorId":"e-1","errors":[{"code":"1409"}]}""", key, null),
            var status => ConnectApiException.FromResponse((HttpStatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture),
                """{"errorId":"e-1","errors":[{"code":"21000120","message":"scripted"}]}""", key, null),
        });
    }
}

/// <summary>Remembers what was deferred and quarantined.</summary>
internal sealed class RecordingSideQueues : IDeliveryDeferral, IQuarantineStore
{
    public List<TimeSpan> Deferred { get; } = [];

    /// <summary>The queue each deferred copy went back to.</summary>
    public List<string> DeferredTo { get; } = [];

    public List<QuarantinedEvent> Quarantined { get; } = [];

    public Task DeferAsync(string queue, ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken)
    {
        Deferred.Add(delay);
        DeferredTo.Add(queue);
        return Task.CompletedTask;
    }

    /// <summary>Successors armed by last deliveries and not disarmed (those a killed process would leave).</summary>
    public List<ArmedCopy> Armed { get; } = [];

    /// <summary>How long each armed successor waits.</summary>
    public List<TimeSpan> ArmedDelays { get; } = [];

    public Task<ArmedCopy> ArmAsync(string queue, ReadOnlyMemory<byte> body, TimeSpan delay, CancellationToken cancellationToken)
    {
        var copy = new ArmedCopy(queue, Guid.NewGuid().ToString("N"), "receipt");
        Armed.Add(copy);
        ArmedDelays.Add(delay);
        return Task.FromResult(copy);
    }

    public Task DisarmAsync(ArmedCopy copy, CancellationToken cancellationToken)
    {
        Armed.Remove(copy);
        return Task.CompletedTask;
    }

    public Task StoreAsync(QuarantinedEvent entry, CancellationToken cancellationToken)
    {
        Quarantined.Add(entry);
        return Task.CompletedTask;
    }
}
