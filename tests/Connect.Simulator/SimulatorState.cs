using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Connect.Simulator;

/// <summary>
/// Everything the simulator knows: payments, tokens, the request log, pending faults and idempotence keys.
/// Thread-safe: tests seed and inspect it while many requests run.
/// </summary>
public sealed class SimulatorState
{
    private static readonly TimeSpan IdempotenceKeyLifetime = TimeSpan.FromHours(24);

    private readonly object _gate = new();
    private readonly Dictionary<(string Merchant, string Payment), SimulatedPayment> _payments = [];
    private readonly Dictionary<(string Merchant, string Token), SimulatedToken> _tokens = [];
    private readonly Dictionary<(string Merchant, string Payment), int> _tokenizations = [];
    private readonly Dictionary<(string Merchant, string Payment), string> _captureRefusals = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<PendingFault> _faults = [];
    private readonly ConcurrentDictionary<(string Merchant, string Key), IdempotenceEntry> _idempotence = new();
    private readonly TimeProvider _time;
    private long _processingDelayTicks;

    internal SimulatorState(TimeProvider time) => _time = time;

    /// <summary>Every request received on <c>/v1/…</c> so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>
    /// Artificial time a request carrying an idempotence key stays "in flight" before it is processed, so a test
    /// can send a concurrent repeat and see 409/1409. Zero by default.
    /// </summary>
    public TimeSpan IdempotentProcessingDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _processingDelayTicks));
        set => Interlocked.Exchange(ref _processingDelayTicks, value.Ticks);
    }

    /// <summary>Adds (or replaces) a payment; the card number is kept in full and masked in responses.</summary>
    /// <returns>The stored payment.</returns>
    public SimulatedPayment SeedPayment(
        string merchantId,
        string paymentId,
        string status = "PENDING_CAPTURE",
        long amount = 1000,
        string currency = "EUR",
        int paymentProductId = 1,
        string? cardNumber = "4567350000427977",
        bool isAuthorized = true,
        string? merchantReference = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(merchantId);
        ArgumentException.ThrowIfNullOrEmpty(paymentId);
        ArgumentException.ThrowIfNullOrEmpty(status);
        ArgumentException.ThrowIfNullOrEmpty(currency);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var payment = new SimulatedPayment(
            merchantId, paymentId, status, amount, currency, paymentProductId, cardNumber, isAuthorized,
            ExpiryDate: "1230", MerchantReference: merchantReference ?? "ref-" + paymentId, Captures: []);
        lock (_gate)
        {
            _payments[(merchantId, paymentId)] = payment;
        }

        return payment;
    }

    /// <summary>The payment as it is now, or <c>null</c> when the simulator does not know it.</summary>
    public SimulatedPayment? GetPayment(string merchantId, string paymentId)
    {
        lock (_gate)
        {
            return _payments.GetValueOrDefault((merchantId, paymentId));
        }
    }

    /// <summary>Moves a known payment to <paramref name="status"/> (e.g. to simulate CAPTURED or CANCELLED arriving later).</summary>
    /// <exception cref="KeyNotFoundException">The payment is not known.</exception>
    public SimulatedPayment SetPaymentStatus(string merchantId, string paymentId, string status)
    {
        ArgumentException.ThrowIfNullOrEmpty(status);
        lock (_gate)
        {
            if (!_payments.TryGetValue((merchantId, paymentId), out var payment))
            {
                throw new KeyNotFoundException($"payment {paymentId} of merchant {merchantId} is not known to the simulator");
            }

            payment = payment with { Status = status };
            _payments[(merchantId, paymentId)] = payment;
            return payment;
        }
    }

    /// <summary>
    /// Makes Connect refuse every capture of the payment with 400 (code 1012, the <paramref name="reason"/> in its message)
    /// until <see cref="AllowCaptures"/>: a cause on Connect's side (an acquirer's refusal, a merchant setting) that an
    /// operator fixes. Unlike an injected fault the refusal is an answer, kept under the request's idempotence key.
    /// </summary>
    public void RefuseCaptures(string merchantId, string paymentId, string reason = "the acquirer refused the capture")
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        lock (_gate)
        {
            _captureRefusals[(merchantId, paymentId)] = reason;
        }
    }

    /// <summary>Ends <see cref="RefuseCaptures"/> for the payment (the cause was fixed); false when captures were not refused.</summary>
    public bool AllowCaptures(string merchantId, string paymentId)
    {
        lock (_gate)
        {
            return _captureRefusals.Remove((merchantId, paymentId));
        }
    }

    /// <summary>Adds a token without card data (e.g. one stored by an earlier session), so sessions see it as valid.</summary>
    public void SeedToken(string merchantId, string tokenId, int paymentProductId = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(merchantId);
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        lock (_gate)
        {
            _tokens[(merchantId, tokenId)] = new SimulatedToken(merchantId, tokenId, paymentProductId, null, null, null, null);
        }
    }

    /// <summary>Whether the merchant has the token.</summary>
    public bool HasToken(string merchantId, string tokenId) => GetToken(merchantId, tokenId) is not null;

    /// <summary>The token, or <c>null</c> when the merchant does not have it.</summary>
    public SimulatedToken? GetToken(string merchantId, string tokenId)
    {
        lock (_gate)
        {
            return _tokens.GetValueOrDefault((merchantId, tokenId));
        }
    }

    /// <summary>Removes the token if present (the DELETE operation, or a test deleting it elsewhere); false when there was none.</summary>
    public bool RemoveToken(string merchantId, string tokenId)
    {
        lock (_gate)
        {
            return _tokens.Remove((merchantId, tokenId));
        }
    }

    /// <summary>Number of recorded requests (every attempt, whatever the answer) with this method whose raw path ends with <paramref name="pathSuffix"/>.</summary>
    public int Count(string method, string pathSuffix)
    {
        ArgumentNullException.ThrowIfNull(pathSuffix);
        return CountWhere(r => r.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal));
    }

    /// <summary>Number of recorded requests (every attempt, whatever the answer) with this method whose raw path matches <paramref name="pathPattern"/>.</summary>
    public int Count(string method, Regex pathPattern)
    {
        ArgumentNullException.ThrowIfNull(pathPattern);
        return CountWhere(r => r.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && pathPattern.IsMatch(r.Path));
    }

    /// <summary>Captures actually performed on the payment (replays, refusals and faults not counted): the "captured once" check.</summary>
    public int CountCaptures(string merchantId, string paymentId) => GetPayment(merchantId, paymentId)?.Captures.Count ?? 0;

    /// <summary>Tokenize calls actually processed for the payment (replays, refusals and faults not counted).</summary>
    public int CountTokenizations(string merchantId, string paymentId)
    {
        lock (_gate)
        {
            return _tokenizations.GetValueOrDefault((merchantId, paymentId));
        }
    }

    /// <summary>Whether a request with this idempotence key has been claimed and not finished yet (lets a test send its concurrent repeat at the right moment).</summary>
    public bool IsIdempotenceKeyInFlight(string merchantId, string idempotenceKey) =>
        _idempotence.TryGetValue((merchantId, idempotenceKey), out var entry) && entry.Response is null;

    /// <summary>
    /// Makes the next <paramref name="times"/> authenticated <c>/v1</c> calls whose request target (raw path and query)
    /// contains <paramref name="pathContains"/> fail with <paramref name="fault"/>. Faults are consumed in the order they were injected.
    /// </summary>
    public void InjectFault(string pathContains, Fault fault, int times = 1)
    {
        ArgumentNullException.ThrowIfNull(pathContains);
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate)
        {
            _faults.Add(new PendingFault(pathContains, fault, times));
        }
    }

    /// <summary>Drops every pending fault and keeps everything else (an outage that ends while payments and the request log stay).</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>Forgets everything: payments, tokens, requests, faults, idempotence keys; the processing delay goes back to zero.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _payments.Clear();
            _tokens.Clear();
            _tokenizations.Clear();
            _captureRefusals.Clear();
            _requests.Clear();
            _faults.Clear();
            _idempotence.Clear();
        }

        IdempotentProcessingDelay = TimeSpan.Zero;
        RecordRequests = true;
    }

    /// <summary>
    /// Whether requests go to <see cref="Requests"/> (on by default, and again after <see cref="Reset"/>). Load runs turn
    /// it off: the log is a test aid, not server work, and its growth would cost the measured calls.
    /// </summary>
    public bool RecordRequests { get; set; } = true;

    internal DateTimeOffset Now => _time.GetUtcNow();

    internal void Record(RecordedRequest request)
    {
        if (!RecordRequests)
        {
            return;
        }

        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    internal Fault? TakeFault(string rawTarget)
    {
        lock (_gate)
        {
            var index = _faults.FindIndex(f => rawTarget.Contains(f.PathContains, StringComparison.Ordinal));
            if (index < 0)
            {
                return null;
            }

            var pending = _faults[index];
            pending.Remaining--;
            if (pending.Remaining == 0)
            {
                _faults.RemoveAt(index);
            }

            return pending.Fault;
        }
    }

    /// <summary>Why captures of the payment are refused now (<see cref="RefuseCaptures"/>), or null; call under the state lock (inside <see cref="UpdatePayment{T}"/>).</summary>
    internal string? CaptureRefusal(string merchantId, string paymentId) => _captureRefusals.GetValueOrDefault((merchantId, paymentId));

    /// <summary>Runs <paramref name="update"/> on the payment under the state lock; the function returns the new payment (or null to leave it) and a result.</summary>
    internal T UpdatePayment<T>(string merchantId, string paymentId, Func<SimulatedPayment?, (SimulatedPayment? Updated, T Result)> update)
    {
        lock (_gate)
        {
            var (updated, result) = update(_payments.GetValueOrDefault((merchantId, paymentId)));
            if (updated is not null)
            {
                _payments[(merchantId, paymentId)] = updated;
            }

            return result;
        }
    }

    /// <summary>Finds the merchant's token for the payment's card or creates one; counts the tokenization.</summary>
    internal (SimulatedToken Token, bool IsNew) Tokenize(SimulatedPayment payment, string? alias)
    {
        lock (_gate)
        {
            _tokenizations[(payment.MerchantId, payment.PaymentId)] = _tokenizations.GetValueOrDefault((payment.MerchantId, payment.PaymentId)) + 1;
            return FindOrAddToken(new SimulatedToken(
                payment.MerchantId, Guid.NewGuid().ToString("N"), payment.PaymentProductId, payment.CardNumber,
                payment.ExpiryDate, payment.PaymentId, alias));
        }
    }

    /// <summary>Finds the merchant's token for the card or creates one (POST tokens: no payment behind it).</summary>
    internal (SimulatedToken Token, bool IsNew) CreateToken(string merchantId, int paymentProductId, string cardNumber, string expiryDate, string? alias)
    {
        lock (_gate)
        {
            return FindOrAddToken(new SimulatedToken(merchantId, Guid.NewGuid().ToString("N"), paymentProductId, cardNumber, expiryDate, null, alias));
        }
    }

    /// <summary>Under the lock: the merchant's existing token for the same card number (not updated, as Connect does), or <paramref name="candidate"/> stored.</summary>
    private (SimulatedToken Token, bool IsNew) FindOrAddToken(SimulatedToken candidate)
    {
        var existing = _tokens.Values.FirstOrDefault(t => t.MerchantId == candidate.MerchantId && t.CardNumber == candidate.CardNumber);
        if (existing is not null)
        {
            return (existing, false);
        }

        _tokens[(candidate.MerchantId, candidate.TokenId)] = candidate;
        return (candidate, true);
    }

    /// <summary>
    /// Claims an idempotence key. Returns the new entry when this request is the first (the caller must
    /// <see cref="IdempotenceEntry.Complete"/> or <see cref="ReleaseIdempotenceKey"/> it), otherwise the existing entry.
    /// </summary>
    internal (IdempotenceEntry Entry, bool IsFirst) ClaimIdempotenceKey(string merchantId, string key, DateTimeOffset now)
    {
        var fresh = new IdempotenceEntry(now.ToUnixTimeMilliseconds());
        while (true)
        {
            var existing = _idempotence.GetOrAdd((merchantId, key), fresh);
            if (ReferenceEquals(existing, fresh))
            {
                return (fresh, true);
            }

            // Keys live 24 hours; an expired one is replaced as if it had never been used.
            if (existing.Response is not null && now.ToUnixTimeMilliseconds() - existing.TimestampMs > (long)IdempotenceKeyLifetime.TotalMilliseconds)
            {
                if (_idempotence.TryUpdate((merchantId, key), fresh, existing))
                {
                    return (fresh, true);
                }

                continue;
            }

            return (existing, false);
        }
    }

    internal void ReleaseIdempotenceKey(string merchantId, string key, IdempotenceEntry entry) =>
        _idempotence.TryRemove(new KeyValuePair<(string, string), IdempotenceEntry>((merchantId, key), entry));

    private int CountWhere(Func<RecordedRequest, bool> predicate)
    {
        lock (_gate)
        {
            return _requests.Count(predicate);
        }
    }

    private sealed class PendingFault(string pathContains, Fault fault, int remaining)
    {
        public string PathContains { get; } = pathContains;

        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}

/// <summary>The first request made with an idempotence key: when it arrived and, once finished, its response.</summary>
internal sealed class IdempotenceEntry(long timestampMs)
{
    private ApiResponse? _response;

    /// <summary>Arrival of the first request, milliseconds since the Unix epoch (the replay header's value).</summary>
    public long TimestampMs { get; } = timestampMs;

    /// <summary>The stored response, or null while the first request is still in flight.</summary>
    public ApiResponse? Response => Volatile.Read(ref _response);

    public void Complete(ApiResponse response) => Volatile.Write(ref _response, response);
}
