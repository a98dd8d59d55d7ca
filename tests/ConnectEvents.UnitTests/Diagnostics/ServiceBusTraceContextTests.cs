using System.Diagnostics;
using ConnectEvents.Diagnostics;
using ConnectEvents.Messaging;
using ConnectEvents.UnitTests.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ConnectEvents.UnitTests.Diagnostics;

/// <summary>A subscriber's view of a topic message: it carries the publishing span's W3C context, so the subscriber's spans join the event's trace.</summary>
[Collection(TracingRunsAlone.Name)]
public sealed class ServiceBusTraceContextTests : IAsyncDisposable
{
    private readonly RecordingServiceBusSender _sender = new("events-topic");

    public ValueTask DisposeAsync() => _sender.DisposeAsync();

    [Fact]
    public async Task ATopicMessageCarriesThePublishSpansContextAndASubscribersSpanJoinsItsTrace()
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(ConnectEventsTracing.SourceName).AddInMemoryExporter(exported).Build())
        using (var webhook = ConnectEventsTracing.Start("webhook", ActivityKind.Server))
        {
            await new ServiceBusTopicPublisher(_sender, new EventsOptions(), NullLogger<ServiceBusTopicPublisher>.Instance)
                .PublishAsync(ServiceBusTopicPublisherTests.Event("{}"u8.ToArray(), "payment", "p", null), CancellationToken.None);
        }

        var send = Assert.Single(exported, a => a.DisplayName == "send events-topic");
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal("servicebus", send.GetTagItem("messaging.system"));
        Assert.Equal("evt-1", send.GetTagItem("messaging.message.id"));
        var properties = Assert.Single(_sender.Sent).ApplicationProperties;
        Assert.Equal(send.Id, properties["traceparent"]);
        Assert.Equal(send.Id, properties["Diagnostic-Id"]);

        // The subscriber (a Functions Service Bus trigger, or any client) continues the trace from the property.
        Assert.True(ActivityContext.TryParse((string)properties["traceparent"], null, out var carried));
        using var subscriberSource = new ActivitySource("subscriber");
        using var listener = new ActivityListener { ShouldListenTo = s => s.Name == "subscriber", Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded };
        ActivitySource.AddActivityListener(listener);
        using var process = subscriberSource.StartActivity("process events-topic", ActivityKind.Consumer, carried);
        Assert.Equal(send.TraceId, process!.TraceId);
        Assert.Equal(send.SpanId, process.ParentSpanId);
    }

    [Fact]
    public async Task WithoutTracingATopicMessageCarriesNoTraceProperties()
    {
        await new ServiceBusTopicPublisher(_sender, new EventsOptions(), NullLogger<ServiceBusTopicPublisher>.Instance)
            .PublishAsync(ServiceBusTopicPublisherTests.Event("{}"u8.ToArray(), "payment", "p", null), CancellationToken.None);

        var properties = Assert.Single(_sender.Sent).ApplicationProperties;
        Assert.False(properties.ContainsKey("traceparent"));
        Assert.False(properties.ContainsKey("Diagnostic-Id"));
    }
}
