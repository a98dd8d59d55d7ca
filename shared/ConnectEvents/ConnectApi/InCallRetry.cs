using System.Net;
using ConnectEvents.Failures;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ConnectEvents.ConnectApi;

/// <summary>
/// The failure a client ends a call in for one attempt's outcome, or null when the outcome is an answer it returns.
/// The client throws exactly this, and the in-call retry and circuit breaker judge exactly this, so they cannot disagree.
/// </summary>
/// <param name="outcome">The attempt's response (its body already read, see <see cref="ResponseBufferingHandler"/>) or exception.</param>
/// <param name="request">The request the attempt sent, when known.</param>
/// <param name="callerToken">The token that, when cancelled, means the caller gave up (its cancellation is not a failure).</param>
internal delegate ValueTask<Exception?> CallFailure(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, CancellationToken callerToken);

/// <summary>
/// The one in-call retry rule of the HTTP clients (Connect and the v3 Inquiry API): an attempt is repeated when, and only
/// when, <see cref="FailureClassifier"/> calls the failure the client would throw <see cref="FailureClass.Transient"/>,
/// the request is safe to repeat, and the wait before the next attempt ends before the call's budget (its total timeout)
/// does. The wait is the backoff, or longer when a 429 or 503 asks for it with <c>Retry-After</c> (or an open circuit
/// says when it closes); a wait that does not fit ends the call at once with the answer in hand, so the queue's
/// redelivery takes over instead of a timeout that would hide it.
/// </summary>
internal static class InCallRetry
{
    /// <summary>The longest backoff between two attempts (a <c>Retry-After</c> may ask for more, within the budget).</summary>
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private static readonly ResiliencePropertyKey<(long Started, TimeSpan Budget)> BudgetKey = new("ConnectEvents.InCallRetry.Budget");
    private static readonly ResiliencePropertyKey<TimeSpan> WaitKey = new("ConnectEvents.InCallRetry.Wait");

    /// <summary>The whole call's time limit, retries and waits included; it also notes when the call must end, for <see cref="Retry"/>.</summary>
    internal static TimeoutStrategyOptions TotalTimeout(TimeSpan total, TimeProvider time) => new()
    {
        Name = "total-timeout",
        Timeout = total,
        TimeoutGenerator = args =>
        {
            // The monotonic clock: a wall-clock step must not stretch or cut the budget.
            args.Context.Properties.Set(BudgetKey, (time.GetTimestamp(), total));
            return ValueTask.FromResult(total);
        },
    };

    /// <summary>Retries by <see cref="ShouldRetry"/>: up to <paramref name="maxRetries"/> more attempts, waiting what <see cref="Wait"/> says.</summary>
    internal static RetryStrategyOptions<HttpResponseMessage> Retry(int maxRetries, TimeSpan baseDelay, TimeProvider time, CallFailure failureOf,
        Func<HttpRequestMessage?, bool> safeToRepeat) => new()
    {
        Name = "in-call-retry",
        MaxRetryAttempts = maxRetries,
        ShouldHandle = async args =>
        {
            var request = args.Context.GetRequestMessage();
            var token = args.Context.CancellationToken;
            var failure = await failureOf(args.Outcome, request, token).ConfigureAwait(false);
            var wait = Wait(args.Outcome, args.AttemptNumber, baseDelay, time);
            if (!ShouldRetry(failure, safeToRepeat(request), wait, Remaining(args.Context, time), token))
            {
                return false;
            }

            args.Context.Properties.Set(WaitKey, wait);
            return true;
        },
        // The wait was chosen (and checked against the budget) when the retry was decided; Polly only carries it out.
        DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(WaitKey, TimeSpan.Zero)),
    };

    /// <summary>A circuit breaker that counts what <see cref="FailureClassifier"/> calls transient, and nothing else.</summary>
    internal static HttpCircuitBreakerStrategyOptions CircuitBreaker(CallFailure failureOf) => new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 20,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = TimeSpan.FromSeconds(5),
        ShouldHandle = async args =>
        {
            var token = args.Context.CancellationToken;
            return await failureOf(args.Outcome, args.Context.GetRequestMessage(), token).ConfigureAwait(false) is { } failure
                && FailureClassifier.Classify(failure, token) == FailureClass.Transient;
        },
    };

    /// <summary>
    /// The rule: another attempt after <paramref name="failure"/> when the call is still on (<paramref name="callToken"/>
    /// not cancelled: neither the caller gave up nor the budget ran out), the classifier calls the failure transient, the
    /// request is safe to repeat, and <paramref name="wait"/> ends before the <paramref name="remaining"/> budget does.
    /// </summary>
    internal static bool ShouldRetry(Exception? failure, bool safeToRepeat, TimeSpan wait, TimeSpan remaining, CancellationToken callToken) =>
        failure is not null
        && !callToken.IsCancellationRequested
        && FailureClassifier.Classify(failure, callToken) == FailureClass.Transient
        && safeToRepeat
        && wait < remaining;

    /// <summary>
    /// The wait before the attempt after <paramref name="outcome"/>: the jittered exponential backoff, or longer when a 429 or
    /// 503 asks for more with <c>Retry-After</c> or an open circuit says when it will let calls through again.
    /// </summary>
    internal static TimeSpan Wait(Outcome<HttpResponseMessage> outcome, int attempt, TimeSpan baseDelay, TimeProvider time)
    {
        var backoff = Backoff(attempt, baseDelay);
        return RequestedWait(outcome, time) is { } asked && asked > backoff ? asked : backoff;
    }

    /// <summary>The wait the answer asks for: <c>Retry-After</c> (seconds or a date) of a 429 or 503, or an open circuit's time left; null when none.</summary>
    internal static TimeSpan? RequestedWait(Outcome<HttpResponseMessage> outcome, TimeProvider time)
    {
        if (outcome.Exception is BrokenCircuitException broken)
        {
            return broken.RetryAfter;
        }

        if (outcome.Result is not { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } response)
        {
            return null;
        }

        // A date in the past (clocks differ) means "now".
        var asked = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => (TimeSpan?)null,
        };
        return asked < TimeSpan.Zero ? TimeSpan.Zero : asked;
    }

    /// <summary>The budget left to the call: until its total timeout ends (unbounded when the pipeline has none).</summary>
    internal static TimeSpan Remaining(ResilienceContext context, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(time);
        return context.Properties.TryGetValue(BudgetKey, out var budget) ? budget.Budget - time.GetElapsedTime(budget.Started) : TimeSpan.MaxValue;
    }

    /// <summary>Exponential from <paramref name="baseDelay"/>, capped at <see cref="MaxBackoff"/>, each wait drawn from its upper half so parallel callers spread out.</summary>
    private static TimeSpan Backoff(int attempt, TimeSpan baseDelay)
    {
        var ceiling = Math.Min(MaxBackoff.Ticks, baseDelay.Ticks * (1L << Math.Clamp(attempt, 0, 20)));
        return ceiling <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(ceiling / 2 + Random.Shared.NextInt64(ceiling / 2 + 1));
    }

    /// <summary>The HTTP clients' request rule: GET is always safe to repeat; POST and DELETE only with a Connect idempotence key. Nothing else is repeated.</summary>
    internal static bool IsSafeToRepeat(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Headers.Contains(ConnectClient.IdempotenceKeyHeader));
}
