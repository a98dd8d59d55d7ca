using System.Diagnostics.Metrics;
using System.Net;
using ConnectEvents.Diagnostics;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ConnectEvents.IntegrationTests.Diagnostics;

/// <summary>The ConnectEvents meter as the dev host records it: real webhook POSTs, the queue listener, Azurite and the simulator.</summary>
public sealed class MetricsPipelineTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string M = Pipeline.Merchant;

    [Fact]
    public async Task AcceptedRejectedPublishedAndCapturedAreMeasuredWithBoundedTags()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?> { ["Webhooks:MaxBodyBytes"] = "4096" });
        var meters = p.App.Services.GetRequiredService<IMeterFactory>();
        using var webhook = Collect<long>(meters, ConnectEventsMetrics.WebhookRequests);
        using var published = Collect<long>(meters, ConnectEventsMetrics.EventsPublished);
        using var processed = Collect<long>(meters, ConnectEventsMetrics.EventsProcessed);
        using var processing = Collect<double>(meters, ConnectEventsMetrics.ProcessingDuration);
        using var connect = Collect<double>(meters, ConnectEventsMetrics.ConnectDuration);
        p.Simulator.State.SeedPayment(M, "pay-metrics");
        var body = SampleEvents.Build("payment.pending_capture", M, "pay-metrics", "evt-metrics");

        Assert.Equal(HttpStatusCode.OK, (await p.App.PostSignedAsync(body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await p.App.PostSignedAsync(body, secret: "not-the-secret")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await p.App.PostSignedAsync(body, keyId: "no-such-key")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await p.App.PostSignedAsync(new byte[5000])).StatusCode);
        await p.WaitForStateAsync("evt-metrics", ProcessingState.Completed);
        // The delivery is counted when the processor returns, just after it completed the record.
        await processed.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(20));

        Assert.Equal(
            ["accepted/none", "rejected/bad-signature", "rejected/too-large", "rejected/unknown-key-id"],
            webhook.GetMeasurementSnapshot().Select(m => $"{m.Tags["outcome"]}/{m.Tags["reason"]}").Order(StringComparer.Ordinal));
        var queue = Assert.Single(published.GetMeasurementSnapshot());
        Assert.Equal(("queue", "ok"), (queue.Tags["transport"], queue.Tags["result"]));
        var delivery = Assert.Single(processed.GetMeasurementSnapshot());
        Assert.Equal(("payment", "captured", "completed"), (delivery.Tags["family"], delivery.Tags["outcome"], delivery.Tags["disposition"]));
        var time = Assert.Single(processing.GetMeasurementSnapshot());
        Assert.InRange(time.Value, 0.000_001, 20);
        var calls = connect.GetMeasurementSnapshot().Select(m => $"{m.Tags["operation"]} {m.Tags["status"]}").ToList();
        Assert.Contains("get-payment 200", calls);
        Assert.Contains("capture 200", calls);

        // No id, merchant or payment ever becomes a tag value: each value would be a time series of its own.
        var tagValues = new[] { webhook.GetMeasurementSnapshot().SelectMany(m => m.Tags.Values), published.GetMeasurementSnapshot().SelectMany(m => m.Tags.Values),
            processed.GetMeasurementSnapshot().SelectMany(m => m.Tags.Values), connect.GetMeasurementSnapshot().SelectMany(m => m.Tags.Values) }
            .SelectMany(v => v).Select(v => v?.ToString() ?? string.Empty).ToList();
        Assert.DoesNotContain(tagValues, v => v.Contains("evt-metrics", StringComparison.Ordinal) || v.Contains("pay-metrics", StringComparison.Ordinal) || v == M);
    }

    private static MetricCollector<T> Collect<T>(IMeterFactory meters, string instrument)
        where T : struct => new(meters, ConnectEventsMetrics.MeterName, instrument);
}
