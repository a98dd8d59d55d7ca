using Connect.Simulator;
using ConnectEvents.ConnectApi;
using ConnectEvents.Failures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace ConnectEvents.IntegrationTests.ConnectApi;

/// <summary>The shared Connect client against the simulator over real HTTP on 127.0.0.1.</summary>
public sealed class ConnectClientTests : IAsyncLifetime
{
    private const string M = "9991";
    private const string Card = "4567350000427977";
    private SimulatorHost _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task EveryOperationWorksOverRealHttp()
    {
        using var c = Client();
        _sim.State.SeedPayment(M, "p1", status: "PENDING_CAPTURE", amount: 2500);

        var payment = await c.Api.GetPaymentAsync(M, "p1");
        var capture = await c.Api.CapturePaymentAsync(M, "p1", new CapturePaymentRequest { Amount = 2500, IsFinal = true }, new CallContext("cap-p1"));
        var token = await c.Api.CreateTokenFromPaymentAsync(M, "p1", new TokenizePaymentRequest { Alias = "my visa" }, new CallContext("tok-p1"));
        var again = await c.Api.CreateTokenFromPaymentAsync(M, "p1", new TokenizePaymentRequest(), new CallContext("tok-p1-b"));
        var withMeta = await c.Api.GetPaymentAsync(M, "p1", new CallContext { ClientMetaInfo = """{"consumerDeviceType":"backend"}""" });
        await c.Api.DeleteTokenAsync(M, token.Token!);

        Assert.Equal("PENDING_CAPTURE", payment.Status);
        Assert.Equal(2500, payment.PaymentOutput!.AmountOfMoney!.Amount);
        Assert.Equal("card", payment.PaymentOutput.PaymentMethod);
        Assert.Equal("CAPTURE_REQUESTED", capture.Status);
        Assert.True(token.IsNewToken);
        Assert.False(again.IsNewToken);
        Assert.Equal(token.Token, again.Token);
        Assert.Equal("p1", withMeta.Id);
        Assert.False(_sim.State.HasToken(M, token.Token!));
        Assert.All(_sim.State.Requests, r => Assert.True(r.Authenticated, r.AuthenticationFailure));
        Assert.All(_sim.State.Requests, r => Assert.StartsWith("GCS v1HMAC:" + SimulatorHost.DefaultApiKeyId + ":", r.Headers["Authorization"], StringComparison.Ordinal));
        Assert.All(_sim.State.Requests, r => Assert.Contains("\"sdkCreator\"", ServerMetaInfo.Decode(r.Headers["X-GCS-ServerMetaInfo"]), StringComparison.Ordinal));
        var meta = Assert.Single(_sim.State.Requests, r => r.Headers.ContainsKey("X-GCS-ClientMetaInfo")).Headers["X-GCS-ClientMetaInfo"];
        Assert.Equal("""{"consumerDeviceType":"backend"}""", ServerMetaInfo.Decode(meta));
    }

    [Fact]
    public async Task SessionFiltersGoOutExactlyAndUnknownTokensComeBackInvalid()
    {
        using var c = Client();
        _sim.State.SeedToken(M, "tok-known");

        var session = await c.Api.CreateSessionAsync(M, new SessionRequest
        {
            Tokens = ["tok-known", "tok-gone"],
            PaymentProductFilters = new PaymentProductFiltersClientSession
            {
                RestrictTo = new PaymentProductFilter { Groups = ["cards"], Products = [1, 3] },
                Exclude = new PaymentProductFilter { Products = [117] },
            },
        });

        Assert.Equal(["tok-gone"], session.InvalidTokens);
        Assert.False(string.IsNullOrEmpty(session.ClientSessionId));
        Assert.False(string.IsNullOrEmpty(session.CustomerId));
        var sent = Assert.Single(_sim.State.Requests, r => r.Path.EndsWith("/sessions", StringComparison.Ordinal));
        Assert.Equal("""{"tokens":["tok-known","tok-gone"],"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[1,3]},"exclude":{"products":[117]}}}""", sent.Body);
        Assert.Equal("application/json", sent.Headers["Content-Type"]);
    }

    [Theory]
    [InlineData(403, ConnectErrorKind.Authorization)]
    [InlineData(409, ConnectErrorKind.Reference)]
    [InlineData(410, ConnectErrorKind.Reference)]
    [InlineData(500, ConnectErrorKind.Platform)]
    [InlineData(502, ConnectErrorKind.Platform)]
    [InlineData(503, ConnectErrorKind.Platform)]
    [InlineData(418, ConnectErrorKind.Unknown)]
    public async Task InjectedStatusesMapToTheirKinds(int status, ConnectErrorKind kind)
    {
        using var c = Client(maxRetries: 0);
        _sim.State.InjectFault("/payments/p-fault", Fault.Status(status), times: 1);

        var error = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.GetPaymentAsync(M, "p-fault"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(status, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.ErrorId));
    }

    [Fact]
    public async Task RealValidationAndReferenceErrorsAreClassified()
    {
        using var c = Client();
        _sim.State.SeedPayment(M, "p-paid", status: "PAID");

        var validation = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.CapturePaymentAsync(M, "p-paid", new CapturePaymentRequest(), new CallContext("k-paid")));
        var reference = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.GetPaymentAsync(M, "no-such-payment"));

        Assert.Equal(ConnectErrorKind.Validation, validation.Kind);
        Assert.False(string.IsNullOrEmpty(validation.ErrorId));
        Assert.NotEmpty(validation.Errors);
        Assert.Equal(ConnectErrorKind.Reference, reference.Kind);
        Assert.Equal(404, reference.StatusCode);
    }

    [Fact]
    public async Task ADeclineIsADeclinedErrorWithItsCode()
    {
        using var c = Client();
        _sim.State.SeedPayment(M, "p-dec");
        const string body = """{"errorId":"dec-1","errors":[{"code":"430285","id":"DECLINED","category":"PAYMENT_PLATFORM_ERROR","httpStatusCode":402,"message":"declined"}],"paymentResult":{"payment":{"id":"p-dec","status":"REJECTED"}}}""";
        _sim.State.InjectFault("/payments/p-dec/capture", Fault.Status(402, body));

        var error = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.CapturePaymentAsync(M, "p-dec", new CapturePaymentRequest(), new CallContext("k-dec")));

        Assert.Equal(ConnectErrorKind.Declined, error.Kind);
        Assert.Equal("430285", Assert.Single(error.Errors).Code);
    }

    [Fact]
    public async Task AConcurrentRepeatOfAKeyIsATransientIdempotenceConflictAndARepeatAfterwardsIsAReplay()
    {
        using var c = Client();
        _sim.State.SeedPayment(M, "p-idem");
        _sim.State.IdempotentProcessingDelay = TimeSpan.FromSeconds(2);
        var first = new CallContext("idem-key");

        var running = c.Api.CapturePaymentAsync(M, "p-idem", new CapturePaymentRequest(), first);
        for (var i = 0; i < 400 && !_sim.State.IsIdempotenceKeyInFlight(M, "idem-key"); i++)
        {
            await Task.Delay(10);
        }

        var conflict = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.CapturePaymentAsync(M, "p-idem", new CapturePaymentRequest(), new CallContext("idem-key")));
        var captured = await running;
        _sim.State.IdempotentProcessingDelay = TimeSpan.Zero;
        var replayContext = new CallContext("idem-key");
        var replay = await c.Api.CapturePaymentAsync(M, "p-idem", new CapturePaymentRequest(), replayContext);

        Assert.Equal(ConnectErrorKind.Idempotence, conflict.Kind);
        Assert.True(FailureClassifier.IsTransient(conflict));
        Assert.Equal("1409", Assert.Single(conflict.Errors).Code);
        Assert.False(first.WasReplayed);
        Assert.True(replayContext.WasReplayed);
        Assert.Equal(captured.Id, replay.Id);
        Assert.Equal(1, _sim.State.CountCaptures(M, "p-idem"));
    }

    [Fact]
    public async Task AGetRetriesThrough503sWithAFreshlySignedAttemptEachTime()
    {
        using var c = Client();
        _sim.State.SeedPayment(M, "p-retry");
        _sim.State.InjectFault("/payments/p-retry", Fault.Status(503), times: 2);

        var payment = await c.Api.GetPaymentAsync(M, "p-retry");
        var attempts = _sim.State.Requests.Where(r => r.Path.EndsWith("/payments/p-retry", StringComparison.Ordinal)).ToList();

        Assert.Equal("PENDING_CAPTURE", payment.Status);
        Assert.Equal([503, 503, 200], attempts.Select(a => a.ResponseStatus));
        Assert.All(attempts, a => Assert.True(a.Authenticated, a.AuthenticationFailure));
        Assert.Equal(3, attempts.Select(a => a.Headers["Date"]).Distinct().Count());
        Assert.Equal(3, attempts.Select(a => a.Headers["Authorization"]).Distinct().Count());
    }

    [Fact]
    public async Task APostWithoutAnIdempotenceKeyIsNeverRetried()
    {
        using var c = Client();
        _sim.State.SeedPayment(M, "p-once");
        _sim.State.InjectFault("/payments/p-once/capture", Fault.Status(503), times: 1);

        var error = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.CapturePaymentAsync(M, "p-once", new CapturePaymentRequest()));

        Assert.Equal(ConnectErrorKind.Platform, error.Kind);
        Assert.Equal(1, _sim.State.Count("POST", "/payments/p-once/capture"));
        Assert.Equal(0, _sim.State.CountCaptures(M, "p-once"));
    }

    [Fact]
    public async Task APostWithAKeyIsRetriedAndCapturesOnce()
    {
        using var c = Client();
        _sim.State.SeedPayment(M, "p-key");
        _sim.State.InjectFault("/payments/p-key/capture", Fault.Status(503), times: 2);

        var capture = await c.Api.CapturePaymentAsync(M, "p-key", new CapturePaymentRequest(), new CallContext("k-retry"));

        Assert.Equal("CAPTURE_REQUESTED", capture.Status);
        Assert.Equal(3, _sim.State.Count("POST", "/payments/p-key/capture"));
        Assert.Equal(1, _sim.State.CountCaptures(M, "p-key"));
    }

    [Fact]
    public async Task ADroppedConnectionIsACommunicationErrorAndIsRetriedOnlyWhenSafe()
    {
        using var c = Client();
        _sim.State.SeedPayment(M, "p-drop");
        _sim.State.InjectFault("/payments/p-drop", Fault.Drop(), times: 1);
        var payment = await c.Api.GetPaymentAsync(M, "p-drop");

        _sim.State.InjectFault("/payments/p-drop/capture", Fault.Drop(), times: 1);
        var error = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.CapturePaymentAsync(M, "p-drop", new CapturePaymentRequest()));

        Assert.Equal("PENDING_CAPTURE", payment.Status);
        Assert.Equal(ConnectErrorKind.Communication, error.Kind);
        Assert.True(FailureClassifier.IsTransient(error));
        Assert.Null(error.StatusCode);
        Assert.Equal(1, _sim.State.Count("POST", "/payments/p-drop/capture"));
    }

    [Fact]
    public async Task ASlowAttemptTimesOutAndTheNextAttemptSucceeds()
    {
        using var c = Client(attemptTimeout: TimeSpan.FromMilliseconds(300));
        _sim.State.SeedPayment(M, "p-slow");
        _sim.State.InjectFault("/payments/p-slow", Fault.Delay(TimeSpan.FromSeconds(3)), times: 1);

        var payment = await c.Api.GetPaymentAsync(M, "p-slow");

        Assert.Equal("PENDING_CAPTURE", payment.Status);
    }

    [Fact]
    public async Task ANonJsonErrorBodyStillGivesATypedErrorThatSaysSo()
    {
        using var c = Client(maxRetries: 0);
        _sim.State.InjectFault("/payments/p-html", Fault.NonJson(502));

        var error = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.GetPaymentAsync(M, "p-html"));

        Assert.Equal(ConnectErrorKind.Platform, error.Kind);
        Assert.Contains("not a Connect error response", error.Message, StringComparison.Ordinal);
        Assert.Empty(error.Errors);
    }

    [Fact]
    public async Task AWrongSecretIsRejectedByTheSimulator()
    {
        using var c = Client(secret: "not-the-secret");

        var error = await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.GetPaymentAsync(M, "p1"));

        Assert.Equal(401, error.StatusCode);
        Assert.False(Assert.Single(_sim.State.Requests).Authenticated);
    }

    [Fact]
    public async Task AFullRunWithRequestLoggingNeverLogsTheSecretOrTheCardNumber()
    {
        using var c = Client(logRequests: true);
        _sim.State.SeedPayment(M, "p-log", cardNumber: Card);
        _sim.State.InjectFault("/payments/p-log", Fault.Status(503), times: 1);

        await c.Api.GetPaymentAsync(M, "p-log");
        await c.Api.CapturePaymentAsync(M, "p-log", new CapturePaymentRequest(), new CallContext("k-log"));
        await c.Api.CreateTokenFromPaymentAsync(M, "p-log", new TokenizePaymentRequest { Alias = "card " + Card }, new CallContext("t-log"));
        await Assert.ThrowsAsync<ConnectApiException>(() => c.Api.GetPaymentAsync(M, "missing"));

        var logs = c.Logs.GetSnapshot();
        var all = string.Join('\n', logs.Select(l => l.Message + " " + l.Exception));
        Assert.Contains(logs, l => l.Level == LogLevel.Debug && l.Message.Contains("Connect request", StringComparison.Ordinal));
        Assert.Contains("7977", all, StringComparison.Ordinal);
        Assert.DoesNotContain(SimulatorHost.DefaultSecretApiKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain(Card, all, StringComparison.Ordinal);
        Assert.DoesNotContain("v1HMAC", all, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSettingsAreNamedWhenTheOptionsAreRead()
    {
        var services = new ServiceCollection().AddConnectClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connect:Endpoint"] = "http://127.0.0.1:1/",
        }).Build());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConnectOptions>>().Value);

        Assert.Contains("Connect__ApiKeyId", error.Message, StringComparison.Ordinal);
        Assert.Contains("Connect__SecretApiKey", error.Message, StringComparison.Ordinal);
    }

    private TestClient Client(int maxRetries = 3, TimeSpan? attemptTimeout = null, string secret = SimulatorHost.DefaultSecretApiKey, bool logRequests = false)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connect:Endpoint"] = _sim.BaseAddress.ToString(),
            ["Connect:ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
            ["Connect:SecretApiKey"] = secret,
            ["Connect:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Connect:RetryBaseDelay"] = "00:00:00.010",
            ["Connect:AttemptTimeout"] = (attemptTimeout ?? TimeSpan.FromSeconds(10)).ToString(),
            ["Connect:LogRequests"] = logRequests ? "true" : "false",
        }).Build();
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(logs)));
        // Each read of the clock moves one second on, so every attempt's Date differs (the simulator accepts 5 minutes of skew).
        services.AddSingleton<TimeProvider>(new SteppingClock());
        services.AddConnectClient(config);
        var provider = services.BuildServiceProvider();
        return new TestClient(provider, provider.GetRequiredService<IConnectClient>(), logs);
    }

    private sealed record TestClient(ServiceProvider Provider, IConnectClient Api, FakeLogCollector Logs) : IDisposable
    {
        public void Dispose() => Provider.Dispose();
    }

    private sealed class SteppingClock : TimeProvider
    {
        private readonly DateTimeOffset _start = DateTimeOffset.UtcNow.AddMinutes(-2);
        private long _reads;

        public override DateTimeOffset GetUtcNow() => _start.AddSeconds(Interlocked.Increment(ref _reads));
    }
}
