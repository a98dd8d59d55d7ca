using System.Net;
using System.Reflection;
using System.Text.Json;
using Connect.Simulator;
using ConnectEvents.ConnectApi;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.IntegrationTests.Processing;

/// <summary>End to end from a signed webhook POST: queue, pump, processor, Table store, simulator.</summary>
public sealed class ProcessingPipelineTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string M = Pipeline.Merchant;

    [Fact]
    public async Task PendingCaptureIsCapturedExactlyOnceAndRecorded()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        p.Simulator.State.SeedPayment(M, "pay-1");

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-1", "evt-1"));
        var record = await p.WaitForStateAsync("evt-1", ProcessingState.Completed);

        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-1"));
        Assert.Equal("CAPTURE_REQUESTED", p.Simulator.State.GetPayment(M, "pay-1")!.Status);
        Assert.Equal("captured", record.Outcome);
        using var detail = JsonDocument.Parse(record.DetailJson!);
        Assert.Equal("PENDING_CAPTURE", detail.RootElement.GetProperty("statusBefore").GetString());
        Assert.Equal("CAPTURE_REQUESTED", detail.RootElement.GetProperty("statusAfter").GetString());
        var action = detail.RootElement.GetProperty("actions")[0];
        Assert.Equal("capture", action.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(action.GetProperty("connectId").GetString()));
        var capture = Assert.Single(p.Simulator.State.Requests, r => r.Method == "POST" && r.Path.EndsWith("/capture", StringComparison.Ordinal));
        Assert.Equal(ConnectEvents.ConnectApi.CallContext.DeriveKey("capture", M, "pay-1"), capture.IdempotenceKey);
    }

    [Fact]
    public async Task AutoCaptureOffMeansNoCapture()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?> { ["Processing:AutoCapture"] = "false" });
        p.Simulator.State.SeedPayment(M, "pay-off");

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-off", "evt-off"));
        var record = await p.WaitForStateAsync("evt-off", ProcessingState.Completed);

        Assert.Equal(0, p.Simulator.State.CountCaptures(M, "pay-off"));
        Assert.Equal("no-action", record.Outcome);
    }

    [Fact]
    public async Task FiftyConcurrentDeliveriesOfOneEventCaptureOnce()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        p.Simulator.State.SeedPayment(M, "pay-50");
        var body = SampleEvents.Build("payment.pending_capture", M, "pay-50", "evt-50");

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => PostAsync(p, body)));
        await p.WaitForStateAsync("evt-50", ProcessingState.Completed);
        await p.WaitForQueueDrainedAsync();

        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-50"));
        Assert.Equal(1, p.Simulator.State.Count("POST", "/payments/pay-50/capture"));
        Assert.Empty((await p.PoisonQueue().ExistsAsync()).Value ? (await p.PoisonQueue().PeekMessagesAsync(32)).Value : []);
    }

    [Fact]
    public async Task TwoDifferentEventsForOnePaymentCaptureOnce()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        p.Simulator.State.SeedPayment(M, "pay-2");

        await Task.WhenAll(
            PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-2", "evt-2a")),
            PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-2", "evt-2b")));
        await p.WaitForStateAsync("evt-2a", ProcessingState.Completed);
        await p.WaitForStateAsync("evt-2b", ProcessingState.Completed);

        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-2"));
    }

    [Fact]
    public async Task ACrashAfterTheCaptureAndBeforeTheRecordStillCapturesOnce()
    {
        var crash = new CrashOnceAfterCapture();
        await using var p = await Pipeline.StartAsync(azurite, services: crash.Register);
        p.Simulator.State.SeedPayment(M, "pay-crash");

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-crash", "evt-crash"));
        var record = await p.WaitForStateAsync("evt-crash", ProcessingState.Completed);

        Assert.Equal(1, crash.Crashes);
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-crash"));
        Assert.True(record.Attempts >= 2, $"attempts {record.Attempts}");
    }

    [Fact]
    public async Task ACrashRedeliveredWhileThePaymentStillLooksCapturableIsAnIdempotentReplay()
    {
        // The redelivery reads PENDING_CAPTURE again (a stale read), so it captures again: the derived key makes Connect replay.
        var crash = new CrashOnceAfterCapture(then: p => p.SetPaymentStatus(M, "pay-replay", "PENDING_CAPTURE"));
        await using var p = await Pipeline.StartAsync(azurite, services: crash.Register);
        crash.Simulator = p.Simulator.State;
        p.Simulator.State.SeedPayment(M, "pay-replay");

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-replay", "evt-replay"));
        var record = await p.WaitForStateAsync("evt-replay", ProcessingState.Completed);

        Assert.Equal(2, p.Simulator.State.Count("POST", "/payments/pay-replay/capture"));
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-replay"));
        using var detail = JsonDocument.Parse(record.DetailJson!);
        Assert.True(detail.RootElement.GetProperty("actions")[0].GetProperty("replayed").GetBoolean());
    }

    [Fact]
    public async Task AnEventHeldByACrashedDeliveryIsTakenOverOnItsLastDeliveryInsteadOfDropped()
    {
        // Every delivery is the last one; a process that died holding the event's claim left a lease of 3 s behind.
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "1",
        });
        p.Simulator.State.SeedPayment(M, "pay-held");
        var held = await p.Store().ClaimAsync("evt-held", "crashed-host/1/x", TimeSpan.FromSeconds(3), new EventClaimInfo("payment.pending_capture", M, "pay-held"), CancellationToken.None);
        Assert.Equal(ClaimStatus.Claimed, held.Status);

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-held", "evt-held"));
        var record = await p.WaitForStateAsync("evt-held", ProcessingState.Completed, TimeSpan.FromSeconds(30));

        Assert.Equal("captured", record.Outcome);
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-held"));
        Assert.Empty((await p.PoisonQueue().PeekMessagesAsync(10)).Value);
    }

    [Fact]
    public async Task OutOfOrderPaidOnACapturedPaymentDoesNotCapture()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        p.Simulator.State.SeedPayment(M, "pay-3", status: "CAPTURED");

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-3", "evt-3"));
        var record = await p.WaitForStateAsync("evt-3", ProcessingState.Completed);

        Assert.Equal("no-action", record.Outcome);
        Assert.Equal(0, p.Simulator.State.Count("POST", "/payments/pay-3/capture"));
    }

    [Fact]
    public async Task Connect503TwiceThen200Succeeds()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        p.Simulator.State.SeedPayment(M, "pay-4");
        p.Simulator.State.InjectFault("/payments/pay-4", Fault.Status(503), times: 2);

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-4", "evt-4"));
        await p.WaitForStateAsync("evt-4", ProcessingState.Completed);

        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-4"));
    }

    [Fact]
    public async Task Connect400IsRecordedAsFailedWithTheErrorsAndNotRetried()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        p.Simulator.State.SeedPayment(M, "pay-5");
        p.Simulator.State.InjectFault("/payments/pay-5/capture", Fault.Status(400), times: 5);

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-5", "evt-5"));
        var record = await p.WaitForStateAsync("evt-5", ProcessingState.Failed);
        await p.WaitForQueueDrainedAsync();

        Assert.Equal(1, p.Simulator.State.Count("POST", "/payments/pay-5/capture"));
        Assert.Equal(1, record.Attempts);
        using var detail = JsonDocument.Parse(record.DetailJson!);
        Assert.NotEmpty(detail.RootElement.GetProperty("errors").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(detail.RootElement.GetProperty("errorId").GetString()));
    }

    [Fact]
    public async Task AMessageThatAlwaysFailsTransientlyEndsInThePoisonQueueWithItsRecordSayingSo()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3",
            ["Connect:MaxRetries"] = "0",
        });
        p.Simulator.State.SeedPayment(M, "pay-6");
        p.Simulator.State.InjectFault("/payments/pay-6", Fault.Status(503), times: 1000);

        await PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-6", "evt-6"));
        var record = await p.WaitForStateAsync("evt-6", ProcessingState.DeadLettered);
        await p.WaitForQueueDrainedAsync();

        var poisoned = Assert.Single((await p.PoisonQueue().PeekMessagesAsync(10)).Value);
        Assert.Contains("evt-6", poisoned.Body.ToString(), StringComparison.Ordinal);
        Assert.Contains("poisoned", record.Outcome + record.LastError + record.DetailJson, StringComparison.Ordinal);
        Assert.Equal(0, p.Simulator.State.CountCaptures(M, "pay-6"));
    }

    [Fact]
    public async Task TokenizeStoresTheTokenAndTokenDeletedRemovesIt()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?> { ["Processing:Tokenize:Enabled"] = "true" });
        p.Simulator.State.SeedPayment(M, "pay-7", status: "PAID", merchantReference: "cust-7");

        await PostAsync(p, SampleEvents.Build("payment.paid", M, "pay-7", "evt-7"));
        var record = await p.WaitForStateAsync("evt-7", ProcessingState.Completed);
        var token = Assert.Single(await p.Vault().ListAsync(M, "cust-7", CancellationToken.None));

        Assert.Equal("tokenized", record.Outcome);
        Assert.True(p.Simulator.State.HasToken(M, token.TokenId));
        Assert.Equal("pay-7", token.PaymentId);
        Assert.DoesNotContain("4567350000427977", token.MaskedCard ?? string.Empty, StringComparison.Ordinal);

        await PostAsync(p, SampleEvents.Build("token.deleted", M, token.TokenId, "evt-7-del"));
        var removal = await p.WaitForStateAsync("evt-7-del", ProcessingState.Completed);

        Assert.Equal("token-removed", removal.Outcome);
        Assert.Empty(await p.Vault().ListAsync(M, "cust-7", CancellationToken.None));
    }

    [Fact]
    public async Task TwoTokenizationsAtTheCapAtOnceKeepBothNewTokensAndNeverDeleteAtConnectATokenAnotherCustomerHolds()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Processing:Tokenize:Enabled"] = "true",
            ["TokenVault:MaxTokensPerCustomer"] = "2",
        });
        var vault = p.Vault();
        // One card, two customers: Connect has one token per card, so both rows hold the same token.
        p.Simulator.State.SeedPayment(M, "pay-x1", status: "PAID", cardNumber: "4111111111111111", merchantReference: "cust-x");
        p.Simulator.State.SeedPayment(M, "pay-y1", status: "PAID", cardNumber: "4111111111111111", merchantReference: "cust-y");
        await PostAsync(p, SampleEvents.Build("payment.paid", M, "pay-x1", "evt-x1"));
        await PostAsync(p, SampleEvents.Build("payment.paid", M, "pay-y1", "evt-y1"));
        await p.WaitForStateAsync("evt-x1", ProcessingState.Completed);
        await p.WaitForStateAsync("evt-y1", ProcessingState.Completed);
        var shared = Assert.Single(await vault.ListAsync(M, "cust-y", CancellationToken.None)).TokenId;
        Assert.Equal(shared, Assert.Single(await vault.ListAsync(M, "cust-x", CancellationToken.None)).TokenId);
        await vault.MarkUsedAsync(M, "cust-x", [shared], DateTimeOffset.UtcNow, CancellationToken.None);

        // cust-x pays with two other cards at once: over the cap of 2 by one, the shared token is the one to go.
        p.Simulator.State.SeedPayment(M, "pay-x2", status: "PAID", cardNumber: "5555555555554444", merchantReference: "cust-x");
        p.Simulator.State.SeedPayment(M, "pay-x3", status: "PAID", cardNumber: "4000056655665556", merchantReference: "cust-x");
        await Task.WhenAll(
            PostAsync(p, SampleEvents.Build("payment.paid", M, "pay-x2", "evt-x2")),
            PostAsync(p, SampleEvents.Build("payment.paid", M, "pay-x3", "evt-x3")));
        await p.WaitForStateAsync("evt-x2", ProcessingState.Completed);
        await p.WaitForStateAsync("evt-x3", ProcessingState.Completed);

        var held = (await vault.ListAsync(M, "cust-x", CancellationToken.None)).Select(t => t.TokenId).ToList();
        Assert.Equal(2, held.Count);
        Assert.DoesNotContain(shared, held);
        Assert.All(held, id => Assert.True(p.Simulator.State.HasToken(M, id), $"cust-x holds {id}, which Connect no longer has"));
        Assert.True(p.Simulator.State.HasToken(M, shared), "the token cust-y still holds was deleted at Connect");
        Assert.Equal(0, p.Simulator.State.Count("DELETE", "/tokens/" + shared));
    }

    [Fact]
    public async Task WithoutACustomerReferenceNothingIsTokenized()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Processing:Tokenize:Enabled"] = "true",
            ["Processing:Tokenize:CustomerReferencePath"] = "paymentOutput.references.noSuchField",
        });
        p.Simulator.State.SeedPayment(M, "pay-8", status: "PAID");

        await PostAsync(p, SampleEvents.Build("payment.paid", M, "pay-8", "evt-8"));
        var record = await p.WaitForStateAsync("evt-8", ProcessingState.Completed);

        Assert.Equal("no-action", record.Outcome);
        Assert.Equal(0, p.Simulator.State.CountTokenizations(M, "pay-8"));
        Assert.Contains("no customer reference", record.DetailJson, StringComparison.Ordinal);
    }

    internal static async Task PostAsync(Pipeline p, byte[] body)
    {
        using var response = await p.App.PostSignedAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// Throws once after Connect answered a capture, like a process dying between the Connect call and the record: the
    /// app's own <see cref="IConnectClient"/> registration, decorated (product code has no test hooks).
    /// </summary>
    private sealed class CrashOnceAfterCapture(Action<SimulatorState>? then = null)
    {
        private int _crashes;

        public int Crashes => _crashes;

        public SimulatorState? Simulator { get; set; }

        /// <summary>Wraps the registered <see cref="IConnectClient"/>, same lifetime, built as the app builds it.</summary>
        public void Register(IServiceCollection services)
        {
            var original = services.Last(d => d.ServiceType == typeof(IConnectClient) && !d.IsKeyedService);
            services.Remove(original);
            services.Add(ServiceDescriptor.Describe(typeof(IConnectClient), sp => CaptureCrashProxy.Wrap(Build(sp, original), AfterCaptureAsync), original.Lifetime));
        }

        /// <summary>Lets the capture's answer through to Connect's caller only after the first crash.</summary>
        public async Task<CaptureResponse> AfterCaptureAsync(Task<CaptureResponse> capture)
        {
            var answer = await capture;
            if (Interlocked.Increment(ref _crashes) == 1)
            {
                if (then is not null && Simulator is not null)
                {
                    then(Simulator);
                }

                throw new InvalidOperationException("injected crash after capture");
            }

            return answer;
        }

        private static IConnectClient Build(IServiceProvider sp, ServiceDescriptor original) =>
            (IConnectClient)(original.ImplementationInstance
                ?? original.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!));
    }
}

/// <summary>Passes every <see cref="IConnectClient"/> call through unchanged, and each capture's answer through a test's crash.</summary>
internal class CaptureCrashProxy : DispatchProxy
{
    private IConnectClient? _inner;
    private Func<Task<CaptureResponse>, Task<CaptureResponse>>? _afterCapture;

    /// <summary>The client <paramref name="inner"/>, with every capture's answer passed through <paramref name="afterCapture"/>.</summary>
    internal static IConnectClient Wrap(IConnectClient inner, Func<Task<CaptureResponse>, Task<CaptureResponse>> afterCapture)
    {
        var proxy = Create<IConnectClient, CaptureCrashProxy>();
        var self = (CaptureCrashProxy)(object)proxy;
        self._inner = inner;
        self._afterCapture = afterCapture;
        return proxy;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var result = targetMethod.Invoke(_inner, args);
        return targetMethod.Name == nameof(IConnectClient.CapturePaymentAsync) ? _afterCapture!((Task<CaptureResponse>)result!) : result;
    }
}
