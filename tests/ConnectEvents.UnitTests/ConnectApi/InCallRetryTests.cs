using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ConnectEvents.ConnectApi;
using ConnectEvents.Failures;
using ConnectEvents.Platform3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace ConnectEvents.UnitTests.ConnectApi;

/// <summary>
/// One answer to "transient?": every answer and failure kind is driven through each client's real resilience pipeline
/// (over a stub primary handler, on a fake clock), and the classifier's verdict on what the client throws must agree
/// with what the pipeline's retry did: retried exactly when transient, safe to repeat, and the wait fits the budget.
/// </summary>
public sealed class InCallRetryTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FarBeyondBudget = TimeSpan.FromHours(1);

    private const string ErrorBody = """{"errorId":"e-1","errors":[{"code":"21000120","id":"REQUEST_PARAMETER"}]}""";
    private const string StillRunningBody = """{"errorId":"e-2","errors":[{"code":"1409","id":"DUPLICATE_REQUEST_IN_PROGRESS"}]}""";
    private const string StillRunningAndMoreBody = """{"errorId":"e-3","errors":[{"code":"1409"},{"code":"300450"}]}""";
    private const string PaymentBody = """{"id":"p1","status":"CAPTURE_REQUESTED"}""";
    private const string InquiryBody = """{"id":"pay-1","amount":"10.00","currency":"EUR","result":{"code":"000.000.000","description":"ok"}}""";
    private const string DeclinedInquiryBody = """{"result":{"code":"800.100.151","description":"declined"}}""";

    /// <summary>How a Connect call goes out: which of them are safe to repeat is the other half of the rule.</summary>
    public enum CallKind
    {
        /// <summary>GET payment: always safe to repeat.</summary>
        Get,

        /// <summary>POST capture with an idempotence key: safe to repeat.</summary>
        KeyedPost,

        /// <summary>POST capture without a key: never repeated.</summary>
        UnkeyedPost,
    }

    /// <summary>
    /// The decision table. Expected: the class of what the client throws (null: an answer, nothing thrown); with a key:
    /// where a keyed POST differs (409 with only error 1409); fits: whether the wait before another attempt ends within
    /// the budget (a Retry-After or open circuit beyond it, or a budget already spent, does not).
    /// </summary>
    private static readonly Scenario[] Connect =
    [
        new("200 payment", _ => Reply(200, PaymentBody), null),
        new("201 payment", _ => Reply(201, PaymentBody), null),
        new("200 not the promised JSON", _ => Reply(200, "<html>ok</html>"), FailureClass.Permanent),
        new("400 validation", _ => Reply(400, ErrorBody), FailureClass.Permanent),
        new("401 our key refused", _ => Reply(401, ErrorBody), FailureClass.Permanent),
        new("402 declined", _ => Reply(402, ErrorBody), FailureClass.Permanent),
        new("403 authorization", _ => Reply(403, ErrorBody), FailureClass.Permanent),
        new("404 reference", _ => Reply(404, ErrorBody), FailureClass.Permanent),
        new("408 request timeout", _ => Reply(408, ErrorBody), FailureClass.Transient),
        new("409 conflict", _ => Reply(409, ErrorBody), FailureClass.Permanent),
        new("409 only 1409: still running (with a key)", _ => Reply(409, StillRunningBody), FailureClass.Permanent, WithKey: FailureClass.Transient),
        new("409 1409 and another error", _ => Reply(409, StillRunningAndMoreBody), FailureClass.Permanent),
        new("410 gone", _ => Reply(410, ErrorBody), FailureClass.Permanent),
        new("422 unprocessable", _ => Reply(422, ErrorBody), FailureClass.Permanent),
        new("425 too early", _ => Reply(425, ErrorBody), FailureClass.Permanent),
        new("429 throttled", _ => Reply(429, ErrorBody), FailureClass.Transient),
        new("429 Retry-After 0", _ => Reply(429, ErrorBody, retryAfter: TimeSpan.Zero), FailureClass.Transient),
        new("429 Retry-After beyond the budget", _ => Reply(429, ErrorBody, retryAfter: FarBeyondBudget), FailureClass.Transient, Fits: false),
        new("500 platform", _ => Reply(500, ErrorBody), FailureClass.Transient),
        new("501 not implemented", _ => Reply(501, ErrorBody), FailureClass.Transient),
        new("502 downstream", _ => Reply(502, ErrorBody), FailureClass.Transient),
        new("502 a proxy's HTML page", _ => Reply(502, "<html>Bad Gateway</html>"), FailureClass.Transient),
        new("503 unavailable", _ => Reply(503, ErrorBody), FailureClass.Transient),
        new("503 Retry-After 0", _ => Reply(503, ErrorBody, retryAfter: TimeSpan.Zero), FailureClass.Transient),
        new("503 Retry-After beyond the budget", _ => Reply(503, ErrorBody, retryAfter: FarBeyondBudget), FailureClass.Transient, Fits: false),
        new("503 Retry-After a date beyond the budget", a => Reply(503, ErrorBody, retryAt: a.Clock.GetUtcNow() + FarBeyondBudget), FailureClass.Transient, Fits: false),
        new("504 gateway timeout", _ => Reply(504, ErrorBody), FailureClass.Transient),
        new("505 version not supported", _ => Reply(505, ErrorBody), FailureClass.Transient),
        new("599 network timeout", _ => Reply(599, ErrorBody), FailureClass.Transient),
        .. Failures(PaymentBody),
    ];

    /// <summary>The v3 Inquiry API's table: GETs only; 200 and 400 with a well-formed result code are answers.</summary>
    private static readonly Scenario[] Inquiry =
    [
        new("200 result", _ => Reply(200, InquiryBody), null),
        new("400 declined result", _ => Reply(400, DeclinedInquiryBody), null),
        new("200 unreadable", _ => Reply(200, "<html>ok</html>"), FailureClass.Transient),
        new("201 unexpected", _ => Reply(201, InquiryBody), FailureClass.Permanent),
        new("400 without a result code", _ => Reply(400, """{"result":{"description":"bad"}}"""), FailureClass.Permanent),
        new("401 unauthorized", _ => Reply(401, "{}"), FailureClass.Permanent),
        new("402", _ => Reply(402, "{}"), FailureClass.Permanent),
        new("403 forbidden", _ => Reply(403, "{}"), FailureClass.Permanent),
        new("404 not found", _ => Reply(404, "{}"), FailureClass.Permanent),
        new("408 request timeout", _ => Reply(408, "{}"), FailureClass.Transient),
        new("409 conflict", _ => Reply(409, StillRunningBody), FailureClass.Permanent),
        new("410 gone", _ => Reply(410, "{}"), FailureClass.Permanent),
        new("422 unprocessable", _ => Reply(422, "{}"), FailureClass.Permanent),
        new("425 too early", _ => Reply(425, "{}"), FailureClass.Permanent),
        new("429 throttled", _ => Reply(429, "{}"), FailureClass.Transient),
        new("429 Retry-After 0", _ => Reply(429, "{}", retryAfter: TimeSpan.Zero), FailureClass.Transient),
        new("429 Retry-After beyond the budget", _ => Reply(429, "{}", retryAfter: FarBeyondBudget), FailureClass.Transient, Fits: false),
        new("500", _ => Reply(500, "{}"), FailureClass.Transient),
        new("501", _ => Reply(501, "{}"), FailureClass.Transient),
        new("502", _ => Reply(502, "<html>Bad Gateway</html>"), FailureClass.Transient),
        new("503", _ => Reply(503, "{}"), FailureClass.Transient),
        new("503 Retry-After beyond the budget", _ => Reply(503, "{}", retryAfter: FarBeyondBudget), FailureClass.Transient, Fits: false),
        new("504 gateway timeout", _ => Reply(504, "{}"), FailureClass.Transient),
        new("505", _ => Reply(505, "{}"), FailureClass.Transient),
        new("599", _ => Reply(599, "{}"), FailureClass.Transient),
        .. Failures(InquiryBody),
    ];

    public static TheoryData<string, CallKind> ConnectRows()
    {
        var rows = new TheoryData<string, CallKind>();
        foreach (var scenario in Connect)
        {
            foreach (var call in Enum.GetValues<CallKind>())
            {
                rows.Add(scenario.Name, call);
            }
        }

        return rows;
    }

    public static TheoryData<string> InquiryRows()
    {
        var rows = new TheoryData<string>();
        foreach (var scenario in Inquiry)
        {
            rows.Add(scenario.Name);
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(ConnectRows))]
    public async Task TheConnectClientRetriesExactlyWhatTheClassifierCallsTransientAndIsSafeToRepeat(string name, CallKind call)
    {
        var scenario = Connect.Single(s => s.Name == name);
        var run = new Run(scenario);
        using var provider = ConnectProvider(run);
        var api = provider.GetRequiredService<IConnectClient>();

        var thrown = await Record.ExceptionAsync(() => call switch
        {
            CallKind.Get => api.GetPaymentAsync("m1", "p1", null, run.Caller.Token),
            CallKind.KeyedPost => api.CapturePaymentAsync("m1", "p1", new CapturePaymentRequest(), new CallContext("key-1"), run.Caller.Token),
            _ => api.CapturePaymentAsync("m1", "p1", new CapturePaymentRequest(), null, run.Caller.Token),
        });

        var expected = call == CallKind.KeyedPost && scenario.WithKey is { } keyed ? keyed : scenario.Expected;
        AssertAgreement(scenario, expected, call != CallKind.UnkeyedPost, thrown, run);
        Assert.True(thrown is null or ConnectApiException or OperationCanceledException, $"{name}: the client let {thrown?.GetType().Name} out unclassified");
    }

    [Theory]
    [MemberData(nameof(InquiryRows))]
    public async Task TheInquiryClientRetriesExactlyWhatTheClassifierCallsTransient(string name)
    {
        var scenario = Inquiry.Single(s => s.Name == name);
        var run = new Run(scenario);
        using var provider = InquiryProvider(run);
        var inquiry = provider.GetRequiredService<IInquiryClient>();

        var thrown = await Record.ExceptionAsync(() => inquiry.GetPaymentAsync("m1", "order-1", run.Caller.Token));

        AssertAgreement(scenario, scenario.Expected, safe: true, thrown, run);
        Assert.True(thrown is null or InquiryException or OperationCanceledException, $"{name}: the client let {thrown?.GetType().Name} out unclassified");
    }

    [Fact]
    public void TheRuleNeedsAllOfTransientSafeAndAWaitThatFits()
    {
        var transient = new HttpRequestException("refused");
        var permanent = ConnectApiException.FromResponse(HttpStatusCode.BadRequest, ErrorBody, null, null);
        using var over = new CancellationTokenSource();
        over.Cancel();

        Assert.True(InCallRetry.ShouldRetry(transient, safeToRepeat: true, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.False(InCallRetry.ShouldRetry(permanent, safeToRepeat: true, TimeSpan.Zero, TotalTimeout, CancellationToken.None));
        Assert.False(InCallRetry.ShouldRetry(transient, safeToRepeat: false, TimeSpan.Zero, TotalTimeout, CancellationToken.None));
        Assert.False(InCallRetry.ShouldRetry(transient, safeToRepeat: true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.False(InCallRetry.ShouldRetry(transient, safeToRepeat: true, TimeSpan.Zero, TotalTimeout, over.Token));
        Assert.False(InCallRetry.ShouldRetry(null, safeToRepeat: true, TimeSpan.Zero, TotalTimeout, CancellationToken.None));
    }

    [Fact]
    public void AWaitIsTheBackoffUnlessA429Or503OrAnOpenCircuitAsksForMore()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var throttled = Answer(429, "{}", retryAfter: TimeSpan.FromSeconds(20));
        using var gone = Answer(500, "{}", retryAfter: TimeSpan.FromSeconds(20));
        using var soon = Answer(503, "{}", retryAt: clock.GetUtcNow().AddSeconds(-5));

        Assert.Equal(TimeSpan.FromSeconds(20), InCallRetry.Wait(Polly.Outcome.FromResult(throttled), 0, TimeSpan.FromMilliseconds(100), clock));
        Assert.InRange(InCallRetry.Wait(Polly.Outcome.FromResult(gone), 0, TimeSpan.FromMilliseconds(100), clock), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
        Assert.InRange(InCallRetry.Wait(Polly.Outcome.FromResult(soon), 10, TimeSpan.FromMilliseconds(100), clock), TimeSpan.FromSeconds(2.5), InCallRetry.MaxBackoff);
        Assert.Equal(TimeSpan.FromSeconds(7), InCallRetry.Wait(Polly.Outcome.FromException<HttpResponseMessage>(new BrokenCircuitException("open", TimeSpan.FromSeconds(7))), 0, TimeSpan.Zero, clock));
    }

    private static void AssertAgreement(Scenario scenario, FailureClass? expected, bool safe, Exception? thrown, Run run)
    {
        var verdict = thrown is null ? (FailureClass?)null : FailureClassifier.Classify(thrown, run.Caller.Token);
        var retried = run.Attempts > 1;

        Assert.True(expected == verdict, $"{scenario.Name}: expected {expected?.ToString() ?? "an answer"}, the client threw {thrown?.GetType().Name} ({verdict}): {thrown?.Message}");
        Assert.True(retried == (verdict == FailureClass.Transient && safe && scenario.Fits),
            $"{scenario.Name}: {verdict?.ToString() ?? "an answer"}, safe to repeat {safe}, wait fits {scenario.Fits}, yet {run.Attempts} attempt(s)");
    }

    /// <summary>The failure kinds that are not an HTTP status: the same for both clients.</summary>
    private static Scenario[] Failures(string body) =>
    [
        new("network failure", _ => throw new HttpRequestException("connection refused"), FailureClass.Transient),
        new("connection reset", _ => throw new IOException("reset by peer"), FailureClass.Transient),
        new("a cancellation that is not the caller's", _ => throw new TaskCanceledException("a timeout of the stack"), FailureClass.Transient),
        new("attempt timeout", async a =>
        {
            a.Clock.Advance(AttemptTimeout);
            await Task.Delay(Timeout.Infinite, a.Token);
            throw new InvalidOperationException("unreachable");
        }, FailureClass.Transient),
        new("total timeout", async a =>
        {
            a.Clock.Advance(TotalTimeout);
            await Task.Delay(Timeout.Infinite, a.Token);
            throw new InvalidOperationException("unreachable");
        }, FailureClass.Transient, Fits: false),
        new("caller cancellation", async a =>
        {
            await a.Caller.CancelAsync();
            await Task.Delay(Timeout.Infinite, a.Token);
            throw new InvalidOperationException("unreachable");
        }, FailureClass.Cancelled),
        new("open circuit", _ => throw new BrokenCircuitException("open", TimeSpan.Zero), FailureClass.Transient),
        new("open circuit beyond the budget", _ => throw new BrokenCircuitException("open", FarBeyondBudget), FailureClass.Transient, Fits: false),
        new("a body that stalls", a => Streamed(200, new HalfBodyStream(body, async token =>
        {
            a.Clock.Advance(AttemptTimeout);
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        })), FailureClass.Transient),
        new("a body that breaks off", _ => Streamed(200, new HalfBodyStream(body, _ => throw new IOException("reset mid-body"))), FailureClass.Transient),
        new("a 409 whose body breaks off", _ => Streamed(409, new HalfBodyStream(StillRunningBody, _ => throw new IOException("reset mid-body"))), FailureClass.Transient),
    ];

    private static HttpResponseMessage Answer(int status, string body, TimeSpan? retryAfter = null, DateTimeOffset? retryAt = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (retryAfter is { } delta)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(delta);
        }
        else if (retryAt is { } date)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(date);
        }

        return response;
    }

    private static Task<HttpResponseMessage> Reply(int status, string body, TimeSpan? retryAfter = null, DateTimeOffset? retryAt = null) =>
        Task.FromResult(Answer(status, body, retryAfter, retryAt));

    private static Task<HttpResponseMessage> Streamed(int status, Stream body) =>
        Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new StreamContent(body) });

    private static ServiceProvider ConnectProvider(Run run)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connect:Endpoint"] = "http://127.0.0.1:9/",
            ["Connect:ApiKeyId"] = "key",
            ["Connect:SecretApiKey"] = "secret",
            ["Connect:MaxRetries"] = "1",
            ["Connect:RetryBaseDelay"] = "00:00:00",
            ["Connect:AttemptTimeout"] = AttemptTimeout.ToString(),
            ["Connect:TotalTimeout"] = TotalTimeout.ToString(),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(run.Clock);
        services.AddConnectClient(config);
        services.AddHttpClient(ConnectClientServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new StubHandler(run));
        return services.BuildServiceProvider();
    }

    private static ServiceProvider InquiryProvider(Run run)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(run.Clock);
        services.AddOptions<Platform3Options>().Configure(o =>
        {
            o.Endpoint = new Uri("http://127.0.0.1:9/");
            o.AccessToken = "token";
            o.MaxRetries = 1;
            o.RetryBaseDelay = TimeSpan.Zero;
            o.AttemptTimeout = AttemptTimeout;
            o.TotalTimeout = TotalTimeout;
        });
        Platform3ServiceCollectionExtensions.AddInquiryClient(services);
        services.AddHttpClient(Platform3ServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new StubHandler(run));
        return services.BuildServiceProvider();
    }

    /// <summary>One row: its name, what every attempt gets, the expected class, and whether the wait it asks for fits.</summary>
    private sealed record Scenario(string Name, Func<AttemptContext, Task<HttpResponseMessage>> Produce, FailureClass? Expected, bool Fits = true, FailureClass? WithKey = null);

    /// <summary>What a stubbed attempt can reach: the fake clock, the attempt's token and the caller's cancellation.</summary>
    private sealed record AttemptContext(FakeTimeProvider Clock, CancellationTokenSource Caller, CancellationToken Token);

    /// <summary>One call under test: its clock, its caller and the attempts the stub saw.</summary>
    private sealed class Run(Scenario scenario)
    {
        private int _attempts;

        public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

        public CancellationTokenSource Caller { get; } = new();

        public int Attempts => Volatile.Read(ref _attempts);

        public Task<HttpResponseMessage> AttemptAsync(CancellationToken token)
        {
            Interlocked.Increment(ref _attempts);
            return scenario.Produce(new AttemptContext(Clock, Caller, token));
        }
    }

    /// <summary>The primary handler: every attempt gets the row's answer or failure.</summary>
    private sealed class StubHandler(Run run) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => run.AttemptAsync(cancellationToken);
    }

    /// <summary>A body whose first half arrives, and then what <paramref name="then"/> does (stall or break off).</summary>
    private sealed class HalfBodyStream(string body, Func<CancellationToken, ValueTask<int>> then) : Stream
    {
        private readonly byte[] _head = Encoding.UTF8.GetBytes(body[..(body.Length / 2)]);
        private bool _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent)
            {
                return then(cancellationToken);
            }

            _sent = true;
            _head.CopyTo(buffer);
            return ValueTask.FromResult(_head.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
