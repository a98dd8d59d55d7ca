using ConnectEvents.ConnectApi;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Processing;
using ConnectEvents.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.UnitTests.Processing;

/// <summary>
/// The processor's decisions as a table: event family × payment status × Connect's answer × delivery (first or last) →
/// disposition, record state, outcome and the Connect calls made. The services are the registered ones, with in-memory
/// fakes for the store, the vault, the Connect client and the side queues. Tokenization is on (CAPTURED and PAID cards).
/// </summary>
public sealed class ProcessorDecisionTableTests
{
    private const string M = "1234";
    private const int MaxDequeueCount = 5;

    public static TheoryData<string, string, string?, string, string, ProcessingDisposition, ProcessingState, string, string> Table => new()
    {
        // case, event type, payment status, Connect answer, delivery → disposition, record state, outcome, Connect calls
        { "capturable payment is captured", "payment.pending_capture", "PENDING_CAPTURE", "ok", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "captured", "get,capture" },
        { "capturable payment on the last delivery", "payment.pending_capture", "PENDING_CAPTURE", "ok", "last", ProcessingDisposition.Completed, ProcessingState.Completed, "captured", "get,capture" },
        { "captured card payment is tokenized", "payment.captured", "CAPTURED", "ok", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "tokenized", "get,tokenize" },
        { "paid card payment is tokenized", "payment.paid", "PAID", "ok", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "tokenized", "get,tokenize" },
        { "stale event: the payment is cancelled now", "payment.pending_capture", "CANCELLED", "ok", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "no-action", "get" },
        { "rejected payment", "payment.rejected", "REJECTED", "ok", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "no-action", "get" },
        { "capture invalid (400)", "payment.pending_capture", "PENDING_CAPTURE", "capture:400", "first", ProcessingDisposition.Failed, ProcessingState.Failed, "connect-validation", "get,capture" },
        { "capture invalid on the last delivery", "payment.pending_capture", "PENDING_CAPTURE", "capture:400", "last", ProcessingDisposition.Failed, ProcessingState.Failed, "connect-validation", "get,capture" },
        { "capture declined (402)", "payment.pending_capture", "PENDING_CAPTURE", "capture:402", "first", ProcessingDisposition.Failed, ProcessingState.Failed, "connect-declined", "get,capture" },
        { "capture not allowed (403)", "payment.pending_capture", "PENDING_CAPTURE", "capture:403", "first", ProcessingDisposition.Failed, ProcessingState.Failed, "connect-authorization", "get,capture" },
        { "payment unknown (404)", "payment.pending_capture", "PENDING_CAPTURE", "get:404", "first", ProcessingDisposition.Failed, ProcessingState.Failed, "connect-reference", "get" },
        { "payment gone (410)", "payment.paid", "PAID", "get:410", "last", ProcessingDisposition.Failed, ProcessingState.Failed, "connect-reference", "get" },
        { "tokenize invalid (400)", "payment.paid", "PAID", "tokenize:400", "first", ProcessingDisposition.Failed, ProcessingState.Failed, "connect-validation", "get,tokenize" },
        { "capture still running (409 1409)", "payment.pending_capture", "PENDING_CAPTURE", "capture:409-1409", "first", ProcessingDisposition.Retry, ProcessingState.Processing, "", "get,capture" },
        { "capture still running on the last delivery", "payment.pending_capture", "PENDING_CAPTURE", "capture:409-1409", "last", ProcessingDisposition.DeadLettered, ProcessingState.DeadLettered, "poisoned", "get,capture" },
        { "capture platform error (500)", "payment.pending_capture", "PENDING_CAPTURE", "capture:500", "first", ProcessingDisposition.Retry, ProcessingState.Processing, "", "get,capture" },
        { "capture unavailable (503) on the last delivery", "payment.pending_capture", "PENDING_CAPTURE", "capture:503", "last", ProcessingDisposition.DeadLettered, ProcessingState.DeadLettered, "poisoned", "get,capture" },
        { "gateway timeout (504) is retried", "payment.pending_capture", "PENDING_CAPTURE", "capture:504", "first", ProcessingDisposition.Retry, ProcessingState.Processing, "", "get,capture" },
        { "read timed out", "payment.pending_capture", "PENDING_CAPTURE", "get:timeout", "first", ProcessingDisposition.Retry, ProcessingState.Processing, "", "get" },
        { "read timed out on the last delivery", "payment.pending_capture", "PENDING_CAPTURE", "get:timeout", "last", ProcessingDisposition.DeadLettered, ProcessingState.DeadLettered, "poisoned", "get" },
        { "tokenize unavailable on the last delivery", "payment.paid", "PAID", "tokenize:503", "last", ProcessingDisposition.DeadLettered, ProcessingState.DeadLettered, "poisoned", "get,tokenize" },
        { "refunds are recorded, not acted on", "refund.refund_requested", null, "get:503", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "no-action", "" },
        { "payouts are recorded, not acted on", "payout.paid", null, "get:503", "last", ProcessingDisposition.Completed, ProcessingState.Completed, "no-action", "" },
        { "disputes are recorded, not acted on", "dispute.created", null, "get:503", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "no-action", "" },
        { "a deleted token leaves the vault", "token.deleted", null, "get:503", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "token-removed", "" },
        { "an expired token leaves the vault", "token.expired", null, "ok", "last", ProcessingDisposition.Completed, ProcessingState.Completed, "token-removed", "" },
        { "a created token needs nothing", "token.created", null, "ok", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "no-action", "" },
        { "a family nobody handles", "mandate.created", null, "ok", "first", ProcessingDisposition.Completed, ProcessingState.Completed, "no-action", "" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task TheProcessorDecides(string @case, string type, string? status, string answer, string delivery,
        ProcessingDisposition disposition, ProcessingState state, string outcome, string calls)
    {
        using var app = new App(status ?? "PAID", answer);
        var resource = type.StartsWith("token.", StringComparison.Ordinal) ? App.TokenId : "pay-1";

        var result = await app.ProcessAsync(SampleEvents.Build(type, M, resource, "evt-1"), delivery == "last");

        var record = app.Store["evt-1"];
        Assert.True(disposition == result.Disposition, $"{@case}: disposition {result.Disposition}, expected {disposition} ({result.Summary})");
        Assert.True(state == record?.State, $"{@case}: record {record?.State}, expected {state}");
        Assert.Contains(outcome, record?.Outcome ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal(calls, string.Join(',', app.Connect.Calls));
        Assert.Equal(outcome == "token-removed", app.Vault.Tokens.Count == 0);
    }

    public static TheoryData<string, ClaimStatus, string, ProcessingDisposition, int, int> HeldClaims => new()
    {
        // case, how another delivery left the record (its lease runs 3 more minutes), delivery → disposition, copies deferred, after how many seconds
        { "a completed event is skipped", ClaimStatus.AlreadyCompleted, "first", ProcessingDisposition.Skipped, 0, 0 },
        { "a failed event is skipped, even on its last delivery", ClaimStatus.AlreadyFailed, "last", ProcessingDisposition.Skipped, 0, 0 },
        { "a duplicate in flight comes back as a copy after the trigger's redelivery delay, spending no delivery", ClaimStatus.InProgressElsewhere, "first", ProcessingDisposition.Deferred, 1, 30 },
        { "an event held elsewhere on its last delivery comes back when the lease can have run out, never dropped", ClaimStatus.InProgressElsewhere, "last", ProcessingDisposition.Deferred, 1, 181 },
    };

    [Theory]
    [MemberData(nameof(HeldClaims))]
    public async Task WhatAnotherDeliveryLeftDecidesWithoutCallingConnect(string @case, ClaimStatus left, string delivery, ProcessingDisposition disposition, int deferred, int afterSeconds)
    {
        using var app = new App("PENDING_CAPTURE", "ok");
        app.Store.Seed(new ProcessedEventRecord("evt-1", left switch
        {
            ClaimStatus.AlreadyCompleted => ProcessingState.Completed,
            ClaimStatus.AlreadyFailed => ProcessingState.Failed,
            _ => ProcessingState.Processing,
        }, "someone-else", app.Time.GetUtcNow().AddMinutes(3), 1, null, M, "pay-1", null, null, null, null, new Azure.ETag("x")));

        var result = await app.ProcessAsync(SampleEvents.Build("payment.pending_capture", M, "pay-1", "evt-1"), delivery == "last");

        Assert.True(disposition == result.Disposition, $"{@case}: {result.Disposition} ({result.Summary})");
        Assert.Equal(deferred, app.Queues.Deferred.Count);
        Assert.All(app.Queues.Deferred, d => Assert.Equal(TimeSpan.FromSeconds(afterSeconds), d));
        Assert.Empty(app.Connect.Calls);
    }

    [Fact]
    public async Task ABodyThatIsNotAnEventIsQuarantinedAndNothingIsClaimed()
    {
        using var app = new App("PENDING_CAPTURE", "ok");

        var result = await app.ProcessAsync("{\"not\":\"an event\"}"u8.ToArray(), last: false);

        Assert.Equal(ProcessingDisposition.Completed, result.Disposition);
        Assert.Single(app.Queues.Quarantined);
        Assert.Null(result.EventId);
        Assert.Empty(app.Connect.Calls);
    }

    [Theory]
    [InlineData(MaxDequeueCount - 1, ProcessingState.Processing)]
    [InlineData(MaxDequeueCount, ProcessingState.DeadLettered)]
    public async Task TheTriggerAdapterTellsTheLastDeliveryFromTheHostsMaxDequeueCount(long dequeueCount, ProcessingState state)
    {
        using var app = new App("PENDING_CAPTURE", "capture:503");
        var delivery = app.Services.GetRequiredService<QueueDelivery>();
        var pipeline = app.Services.GetRequiredService<ConnectEventPipeline>();

        await Assert.ThrowsAsync<EventDeliveryFailedException>(() =>
            delivery.HandleAsync(pipeline, SampleEvents.Build("payment.pending_capture", M, "pay-1", "evt-1"), dequeueCount, "m-1", CancellationToken.None));

        Assert.Equal(state, app.Store["evt-1"]?.State);
    }

    /// <summary>The registered processing services over in-memory fakes.</summary>
    private sealed class App : IDisposable
    {
        public const string TokenId = "tok-9";

        public App(string paymentStatus, string answer)
        {
            Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            Store = new InMemoryProcessedEventStore(Time);
            Vault = new InMemoryTokenVault();
            Vault.AddAsync(new StoredToken(M, "cust-1", TokenId, 1, "pay-0", Time.GetUtcNow(), null, "************1111"), CancellationToken.None).GetAwaiter().GetResult();
            Connect = new ScriptedConnectClient(Payment(paymentStatus), answer);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Processing:Tokenize:Enabled"] = "true",
            }).Build();
            var services = new ServiceCollection().AddLogging().AddEventProcessing(configuration);
            // Registered after the real ones, so these are what the processor gets.
            services.AddSingleton<TimeProvider>(Time).AddSingleton<IProcessedEventStore>(Store).AddSingleton<ITokenVault>(Vault)
                .AddSingleton<IConnectClient>(Connect).AddSingleton<IDeliveryDeferral>(Queues).AddSingleton<IQuarantineStore>(Queues);
            Services = services.BuildServiceProvider();
        }

        public FakeTimeProvider Time { get; }

        public InMemoryProcessedEventStore Store { get; }

        public InMemoryTokenVault Vault { get; }

        public ScriptedConnectClient Connect { get; }

        public RecordingSideQueues Queues { get; } = new();

        public ServiceProvider Services { get; }

        public Task<ProcessingResult> ProcessAsync(byte[] body, bool last) =>
            Services.GetRequiredService<ConnectEventPipeline>().ProcessAsync(new TriggerMessage("connect-events", body, last ? MaxDequeueCount : 1, "m-1", last), CancellationToken.None);

        public void Dispose() => Services.Dispose();

        private static PaymentResponse Payment(string status) => new()
        {
            Id = "pay-1",
            Status = status,
            StatusOutput = new StatusOutput { IsAuthorized = true },
            PaymentOutput = new PaymentOutput
            {
                PaymentMethod = "card",
                References = new PaymentReferences { MerchantReference = "cust-1" },
                CardPaymentMethodSpecificOutput = new CardPaymentMethodSpecificOutput { PaymentProductId = 1, Card = new CardOutput { CardNumber = "************4242" } },
            },
        };
    }
}
