using System.Text;
using Azure;
using ConnectEvents.Idempotence;
using ConnectEvents.Platform3;
using ConnectEvents.Processing;
using ConnectEvents.TestInfrastructure;
using ConnectEvents.UnitTests.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.UnitTests.Platform3;

/// <summary>
/// The v3 pipeline on the shared engine: the queue message's frame, the payment's one recurring key, a duplicate in flight
/// deferred onto the v3 queue, a foreign message quarantined, and inquiry failures classified by the one classifier.
/// </summary>
public sealed class NotificationPipelineTests
{
    private const string Queue = "platform3-notifications";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheQueueMessageCarriesTheVerifiedFactsAndTheBodyByteForByte()
    {
        var body = Encoding.UTF8.GetBytes("{\"result\":{\"code\":\"000.000.000\"}}\n\u0000\u00ff tail");
        var message = new NotificationMessage("m-1", "order 7/ü \"x\"", "k-1", Now) { Body = body };

        var encoded = message.Encode();
        var decoded = NotificationMessage.Decode(encoded, out var error);

        Assert.Null(error);
        Assert.Equal((message.MerchantId, message.Reference, message.KeyId, message.ReceivedAt), (decoded!.MerchantId, decoded.Reference, decoded.KeyId, decoded.ReceivedAt));
        Assert.Equal(body, decoded.Body.ToArray());
        Assert.StartsWith("v3n1\n{", Encoding.UTF8.GetString(encoded), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(body), Encoding.UTF8.GetString(encoded), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"merchantId\":\"m-1\"}")]
    [InlineData("v3n1\n{\"merchantId\":\"m-1\"}")]
    [InlineData("v3n1\nnot json\n")]
    [InlineData("v3n1\n{\"merchantId\":\"m 1\",\"reference\":\"r\",\"keyId\":\"k\",\"receivedAt\":\"2026-01-01T00:00:00Z\"}\n")]
    public async Task AMessageTheIngressDidNotWriteIsQuarantinedAndNothingIsClaimed(string text)
    {
        var app = new App();

        var result = await app.ProcessAsync(Encoding.UTF8.GetBytes(text));

        Assert.Equal((ProcessingDisposition.Completed, "quarantined"), (result.Disposition, result.Outcome));
        Assert.Single(app.Queues.Quarantined);
        Assert.Equal(0, app.Inquiry.Calls);
    }

    [Fact]
    public async Task ADuplicateWhileTheRoundIsInFlightIsDeferredOntoTheV3Queue()
    {
        var app = new App();
        app.Store.Seed(new ProcessedEventRecord(NotificationPipeline.ClaimKey("m-1", "r-1"), ProcessingState.Processing, "other-delivery",
            Now.AddMinutes(5), 1, NotificationPipeline.EventType, "m-1", "r-1", null, null, Now, null, new ETag("1")) { ClaimedAt = Now });

        var result = await app.ProcessAsync(Notification(Now.AddSeconds(1)));

        Assert.Equal(ProcessingDisposition.Deferred, result.Disposition);
        Assert.Equal([Queue], app.Queues.DeferredTo);
        Assert.Equal(0, app.Inquiry.Calls);
    }

    [Theory]
    [InlineData(404, false, ProcessingDisposition.Failed, "inquiry-404 not-found")]
    [InlineData(503, false, ProcessingDisposition.Retry, null)]
    [InlineData(503, true, ProcessingDisposition.DeadLettered, null)]
    public async Task AnInquiryFailureIsRecordedOrRetriedAsTheClassifierSays(int status, bool last, ProcessingDisposition disposition, string? outcome)
    {
        var app = new App { Inquiry = { Fail = status } };

        var result = await app.ProcessAsync(Notification(Now), last);

        Assert.Equal(disposition, result.Disposition);
        var record = app.Store[NotificationPipeline.ClaimKey("m-1", "r-1")]!;
        if (outcome is not null)
        {
            Assert.Equal(outcome, record.Outcome);
        }
    }

    [Fact]
    public async Task TheMetricCountsTheCategoryAndTheRecordKeepsTheCode()
    {
        var app = new App();

        var result = await app.ProcessAsync(Notification(Now));

        Assert.Equal(("success", NotificationPipeline.EventType), (result.Outcome, result.EventType));
        Assert.Equal("success 000.000.000", app.Store[NotificationPipeline.ClaimKey("m-1", "r-1")]!.Outcome);
    }

    private static byte[] Notification(DateTimeOffset receivedAt) =>
        new NotificationMessage("m-1", "r-1", "k-1", receivedAt) { Body = "{\"result\":{\"code\":\"999.999.999\"}}"u8.ToArray() }.Encode();

    /// <summary>The engine and the v3 pipeline over in-memory fakes.</summary>
    private sealed class App
    {
        public App()
        {
            var time = new FakeTimeProvider(Now);
            Store = new InMemoryProcessedEventStore(time);
            var processing = new ServiceCollection().AddOptions().BuildServiceProvider().GetRequiredService<IOptionsMonitor<ProcessingOptions>>();
            var engine = new ExactlyOnceProcessor(Store, Queues, Queues, processing, time, NullLogger<ExactlyOnceProcessor>.Instance);
            var handler = new NotificationHandler(Inquiry, new ResultCodeClassifier(), null, time, NullLogger<NotificationHandler>.Instance);
            Pipeline = new NotificationPipeline(engine, handler, new TestOptionsMonitor<Platform3Options>(new Platform3Options { QueueName = Queue }));
        }

        public InMemoryProcessedEventStore Store { get; }

        public RecordingSideQueues Queues { get; } = new();

        public ScriptedInquiry Inquiry { get; } = new();

        public NotificationPipeline Pipeline { get; }

        public Task<ProcessingResult> ProcessAsync(byte[] message, bool last = false) =>
            Pipeline.ProcessAsync(new TriggerMessage(Queue, message, last ? 5 : 1, "q-1", last), CancellationToken.None);
    }

    /// <summary>An Inquiry API that answers success, or fails with a status.</summary>
    private sealed class ScriptedInquiry : IInquiryClient
    {
        public int Calls { get; private set; }

        public int? Fail { get; set; }

        public Task<InquiryAnswer> GetPaymentAsync(string merchantId, string reference, CancellationToken cancellationToken)
        {
            Calls++;
            return Fail is { } status
                ? Task.FromException<InquiryAnswer>(new InquiryException($"answered {status}")
                {
                    StatusCode = status,
                    Reason = status == 404 ? "not-found" : "server-error",
                })
                : Task.FromResult(new InquiryAnswer(200, "pay-9", "000.000.000", "ok", "1.00", "EUR"));
        }
    }
}
