using System.Diagnostics.Metrics;
using Azure.Identity;
using ConnectEvents.Diagnostics;
using ConnectEvents.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace ConnectEvents.UnitTests.Diagnostics;

public sealed class ConnectEventsMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddConnectEventsMetrics().BuildServiceProvider();

    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    private ConnectEventsMetrics Metrics => _services.GetRequiredService<ConnectEventsMetrics>();

    public void Dispose() => _services.Dispose();

    [Theory]
    [InlineData("payment.pending_capture", "payment")]
    [InlineData("refund.refund_requested", "refund")]
    [InlineData("payout.paid", "payout")]
    [InlineData("token.deleted", "token")]
    [InlineData("dispute.opened", "dispute")]
    [InlineData("capture.captured", "other")]
    [InlineData("paymentX.created", "other")]
    [InlineData("", "other")]
    [InlineData(null, "other")]
    public void FamilyIsOneOfABoundedSet(string? type, string family) => Assert.Equal(family, ConnectEventsMetrics.Family(type));

    [Fact]
    public void ProcessedDeliveriesCarryBoundedOutcomesAndTheirDuration()
    {
        using var processed = new MetricCollector<long>(Meters, ConnectEventsMetrics.MeterName, ConnectEventsMetrics.EventsProcessed);
        using var duration = new MetricCollector<double>(Meters, ConnectEventsMetrics.MeterName, ConnectEventsMetrics.ProcessingDuration);

        Metrics.EventProcessed("payment", "captured+tokenized", ProcessingDisposition.Completed, TimeSpan.FromMilliseconds(250));
        Metrics.EventProcessed("token.deleted", null, ProcessingDisposition.Retry, TimeSpan.FromMilliseconds(5));
        Metrics.EventProcessed("payment", "failed for evt-123 at Connect", ProcessingDisposition.Failed, TimeSpan.Zero);

        Assert.Equal(
            ["payment captured+tokenized completed", "token retry retry", "payment other failed"],
            processed.GetMeasurementSnapshot().Select(m => $"{m.Tags["family"]} {m.Tags["outcome"]} {m.Tags["disposition"]}"));
        Assert.Equal(0.25, duration.GetMeasurementSnapshot()[0].Value, 6);
        Assert.False(duration.GetMeasurementSnapshot()[0].Tags.ContainsKey("outcome"));
    }

    [Theory]
    [InlineData("unsupported apiVersion 'v2' (expected v1)", false, "wrong-api-version")]
    [InlineData("the event has no apiVersion", false, "wrong-api-version")]
    [InlineData("the body is not valid JSON (x)", false, "bad-body")]
    [InlineData("The event is 70000 bytes", true, "too-large")]
    public void QuarantineReasonsAreClassesNotTexts(string reason, bool tooLarge, string expected)
    {
        using var requests = new MetricCollector<long>(Meters, ConnectEventsMetrics.MeterName, ConnectEventsMetrics.WebhookRequests);
        Metrics.WebhookQuarantined(reason, tooLarge);
        var m = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(("quarantined", expected), (m.Tags["outcome"], m.Tags["reason"]));
    }

    [Theory]
    [InlineData("GET", "https://c.example/v1/1234/payments/pay-1", "get-payment")]
    [InlineData("POST", "https://c.example/v1/1234/payments/pay-1/capture", "capture")]
    [InlineData("POST", "https://c.example/v1/1234/payments/pay-1/tokenize", "tokenize")]
    [InlineData("POST", "https://c.example/v1/1234/sessions", "create-session")]
    [InlineData("GET", "https://c.example/v1/1234/tokens/tok-9", "other")]
    [InlineData("DELETE", "https://c.example/v1/1234/tokens/tok-9", "delete-token")]
    [InlineData("GET", "https://c.example/v1/1234/services/testconnection", "other")]
    [InlineData("POST", "https://c.example/v1/1234/payments/pay-1/cancel", "other")]
    [InlineData("GET", "https://c.example/v2/1234/payments/pay-1", "other")]
    [InlineData("GET", "https://c.example/", "other")]
    [InlineData("GET", "v1/1234/payments/pay-1", "get-payment")]
    public void ConnectOperationsAreNamedFromThePathShapeNotItsIds(string method, string uri, string operation) =>
        Assert.Equal(operation, ConnectCallMetricsHandler.Operation(new HttpMethod(method), new Uri(uri, UriKind.RelativeOrAbsolute)));

    [Fact]
    public async Task ConnectAttemptsAreTimedWithTheirStatusOrNoneWhenNoAnswerCame()
    {
        using var calls = new MetricCollector<double>(Meters, ConnectEventsMetrics.MeterName, ConnectEventsMetrics.ConnectDuration);
        var answers = new Queue<Func<HttpResponseMessage>>([
            () => new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable),
            () => throw new HttpRequestException("connection refused"),
        ]);
        using var invoker = new HttpMessageInvoker(new ConnectCallMetricsHandler(Metrics) { InnerHandler = new Answering(answers) });

        using var first = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://c.example/v1/m/payments/p"), CancellationToken.None);
        await Assert.ThrowsAsync<HttpRequestException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://c.example/v1/m/payments/p/capture"), CancellationToken.None));

        Assert.Equal(["get-payment 503", "capture none"], calls.GetMeasurementSnapshot().Select(m => $"{m.Tags["operation"]} {m.Tags["status"]}"));
    }

    [Fact]
    public async Task EachTransportOfAFanOutIsCountedWithItsResult()
    {
        using var published = new MetricCollector<long>(Meters, ConnectEventsMetrics.MeterName, ConnectEventsMetrics.EventsPublished);
        var queue = new Messaging.RecordingPublisher();
        var topic = new Messaging.RecordingPublisher { Fail = new ConnectEvents.Messaging.EventTooLargeException("too big for the topic") };
        var options = new ConnectEvents.Messaging.EventsOptions { PublishTimeout = TimeSpan.FromSeconds(5) };
        var message = Messaging.ServiceBusTopicPublisherTests.Event("{}"u8.ToArray(), "payment", "pay-1", null);

        await Assert.ThrowsAsync<ConnectEvents.Messaging.EventTooLargeException>(() =>
            new ConnectEvents.Messaging.FanOutEventPublisher(queue, topic, options, TimeProvider.System, Metrics).PublishAsync(message, CancellationToken.None));
        queue.Fail = new ConnectEvents.Messaging.EventPublishException("queue down");
        await Assert.ThrowsAsync<ConnectEvents.Messaging.EventPublishException>(() =>
            new ConnectEvents.Messaging.FanOutEventPublisher(queue, null, options, TimeProvider.System, Metrics).PublishAsync(message, CancellationToken.None));

        Assert.Equal(["queue ok", "topic too-large", "queue failed"],
            published.GetMeasurementSnapshot().Select(m => $"{m.Tags["transport"]} {m.Tags["result"]}"));
    }

    [Theory]
    [InlineData(200, "created")]
    [InlineData(400, "rejected")]
    [InlineData(413, "rejected")]
    [InlineData(502, "failed")]
    [InlineData(503, "unavailable")]
    public void SessionAnswersAreCountedByOutcome(int status, string outcome)
    {
        using var sessions = new MetricCollector<long>(Meters, ConnectEventsMetrics.MeterName, ConnectEventsMetrics.SessionRequests);
        Metrics.SessionRequest(status);
        var m = Assert.Single(sessions.GetMeasurementSnapshot());
        Assert.Equal((outcome, status.ToString(System.Globalization.CultureInfo.InvariantCulture)), (m.Tags["outcome"], m.Tags["status"]));
    }

    [Fact]
    public void ApplicationInsightsExportIsWiredOnlyWhenItsConnectionStringIsSet()
    {
        static bool Exports(string? connectionString)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { [MetricsServiceCollectionExtensions.ConnectionStringSetting] = connectionString })
                .Build();
            var services = new ServiceCollection().AddConnectEventsMetricsExport(configuration);
            Assert.Contains(services, d => d.ServiceType == typeof(ConnectEventsMetrics));
            return services.Any(d => d.ServiceType == typeof(MeterProvider));
        }

        Assert.False(Exports(null));
        Assert.False(Exports(" "));
        Assert.True(Exports("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/"));
    }

    [Fact]
    public void EntraAuthenticationUsesTheNamedIdentityOnlyWhenAsked()
    {
        Assert.Null(MetricsServiceCollectionExtensions.EntraCredential(null));
        Assert.Null(MetricsServiceCollectionExtensions.EntraCredential("ClientId=abc"));
        Assert.IsType<ManagedIdentityCredential>(MetricsServiceCollectionExtensions.EntraCredential("ClientId=abc;Authorization=AAD"));
        Assert.IsType<ManagedIdentityCredential>(MetricsServiceCollectionExtensions.EntraCredential(" Authorization = aad "));
    }

    [Fact]
    public void TheLogExporterWritesOneLinePerInstrumentWithWhatHappened()
    {
        // A meter of its own: the provider listens to every meter of its name in the process, other tests' included.
        var name = "ConnectEvents.Tests." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(name);
        var requests = meter.CreateCounter<long>("requests");
        var duration = meter.CreateHistogram<double>("duration", "s");
        meter.CreateCounter<long>("unused");
        var logger = new FakeLogger();
        using var reader = new PeriodicExportingMetricReader(new MetricsLogExporter(logger, TimeSpan.FromSeconds(60)), int.MaxValue)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Delta,
        };
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(name).AddReader(reader).Build();

        requests.Add(2, new KeyValuePair<string, object?>("outcome", "accepted"));
        requests.Add(1, new KeyValuePair<string, object?>("outcome", "rejected"), new KeyValuePair<string, object?>("reason", "bad-signature"));
        duration.Record(0.040, new KeyValuePair<string, object?>("family", "payment"));
        duration.Record(0.020, new KeyValuePair<string, object?>("family", "payment"));
        Assert.True(provider.ForceFlush());

        Assert.Equal(
            ["Metrics (last 60 s) requests: accepted=2, rejected/bad-signature=1", "Metrics (last 60 s) duration: payment n=2 avg=30.0ms max=40.0ms"],
            logger.Collector.GetSnapshot().Select(r => r.Message));

        // Delta: a second export with nothing new writes nothing.
        logger.Collector.Clear();
        Assert.True(provider.ForceFlush());
        Assert.Empty(logger.Collector.GetSnapshot());
    }

    private sealed class Answering(Queue<Func<HttpResponseMessage>> answers) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answers.Dequeue()());
    }
}
