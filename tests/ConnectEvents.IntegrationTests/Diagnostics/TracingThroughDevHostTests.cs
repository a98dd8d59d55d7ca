using System.Net;
using Azure.Data.Tables;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Operations;
using ConnectEvents.IntegrationTests.Webhooks;

namespace ConnectEvents.IntegrationTests.Diagnostics;

/// <summary>
/// One event, one trace: the dev host process on Azurite and the Connect simulator, exporting its spans over OTLP/HTTP to a
/// loopback receiver (<see cref="OtlpReceiver"/>), as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> would to Jaeger or Tempo.
/// </summary>
public sealed class TracingThroughDevHostTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string M = "1234";
    private const int Server = 2, Client = 3, Producer = 4, Consumer = 5;

    [Fact]
    public async Task OneWebhookIsOneTraceFromTheRequestThroughTheQueueToGetPaymentCaptureAndCompletion()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync();
        simulator.State.SeedPayment(M, "pay-tr");
        var (settings, queue, table) = Settings(otlp, simulator);
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.SendAsync(DevHostProcessTests.Signed(SampleEvents.Build("payment.pending_capture", M, "pay-tr", "evt-tr")));
        Assert.True(response.StatusCode == HttpStatusCode.OK, app.Output);
        // Children end before their parents: once the request's span and the delivery's are in, so is everything under them.
        var spans = await otlp.WaitForAsync(
            s => s.Any(x => x.Name == "process " + queue && x["connect_events.disposition"] == "Completed") && s.Any(x => x.Kind == Server && x["url.path"] == "/api/webhooks/connect"),
            () => app.Output);

        var process = Assert.Single(spans, s => s.Name == "process " + queue);
        var trace = spans.Where(s => s.TraceId == process.TraceId).ToList();
        var request = Assert.Single(trace, s => s.Kind == Server && s.Scope.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Equal("", request.ParentSpanId); // the root of the event's trace
        Assert.Equal("POST", request["http.request.method"]);
        var verify = Child(trace, request, "verify");
        var publish = Child(trace, request, "publish");
        Assert.Equal("True", verify["connect_events.webhook.verified"]);
        var send = Child(trace, publish, "send " + queue);
        Assert.Equal(Producer, send.Kind);
        Assert.Equal(send.SpanId, process.ParentSpanId); // the queue message carried the context
        Assert.Equal(Consumer, process.Kind);
        Assert.Equal("evt-tr", process["connect_events.event.id"]);
        Assert.Equal("Completed", process["connect_events.disposition"]);
        Assert.Equal("Claimed", Child(trace, process, "claim")["connect_events.claim.status"]);
        var handle = Child(trace, process, "handle");
        Assert.Equal("captured", handle["connect_events.outcome"]);
        var get = Child(trace, handle, "GET /v1/{merchantId}/payments/{paymentId}");
        Assert.Equal(Client, get.Kind);
        Assert.Equal("200", get["http.response.status_code"]);
        Assert.Equal("get-payment", get["connect_events.operation"]);
        Assert.Equal(Client, Child(trace, handle, "POST /v1/{merchantId}/payments/{paymentId}/capture").Kind);
        Child(trace, process, "complete");
        // The Azure SDK's own spans (Tables, Queues) sit in the same trace.
        Assert.Contains(trace, s => s.Scope.StartsWith("Azure.", StringComparison.Ordinal) && s["az.namespace"] == "Microsoft.Storage");
        // and only there: the listener's polls start no trace of their own.
        Assert.DoesNotContain(spans, s => s.ParentSpanId.Length == 0 && s.Scope.StartsWith("Azure.", StringComparison.Ordinal));

        // The record keeps the attempt's trace, status prints it, and the log names it.
        var record = await Store(table).GetAsync("evt-tr", CancellationToken.None);
        Assert.Equal(process.TraceId, record!.LastTraceParent?.Split('-')[1]);
        var status = await Cli(queue, table).RunAsync("status", "evt-tr");
        Assert.Contains($"attempt 1: trace {process.TraceId}", status.Out, StringComparison.Ordinal);
        Assert.Contains($"trace {process.TraceId}", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADuplicatesSkipAndADeferredCopyAreTracesOfTheirOwnLinkedToTheOriginal()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync();
        simulator.State.SeedPayment(M, "pay-dup");
        simulator.State.SeedPayment(M, "pay-held");
        var (settings, queue, table) = Settings(otlp, simulator);
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        // A duplicate: the same event again once the first has completed.
        var body = SampleEvents.Build("payment.pending_capture", M, "pay-dup", "evt-dup");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(DevHostProcessTests.Signed(body))).StatusCode);
        var first = await ProcessSpanAsync(otlp, app, queue, "Completed");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(DevHostProcessTests.Signed(body))).StatusCode);
        var skip = await ProcessSpanAsync(otlp, app, queue, "Skipped");
        Assert.NotEqual(first.TraceId, skip.TraceId); // the duplicate's own webhook trace
        Assert.Contains(skip.Links, l => l.TraceId == first.TraceId && l.SpanId == first.SpanId);

        // A deferral: another delivery holds the claim, so the event comes back as a copy in a trace of its own.
        var held = await Store(table).ClaimAsync("evt-held", "someone-else", TimeSpan.FromMinutes(5), new EventClaimInfo("payment.pending_capture", M, "pay-held"), CancellationToken.None);
        Assert.Equal(ClaimStatus.Claimed, held.Status);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(DevHostProcessTests.Signed(SampleEvents.Build("payment.pending_capture", M, "pay-held", "evt-held")))).StatusCode);
        var spans = await otlp.WaitForAsync(s => s.Count(x => x.Name == "process " + queue && x["connect_events.event.id"] == "evt-held") >= 2, () => app.Output);
        var deliveries = spans.Where(x => x.Name == "process " + queue && x["connect_events.event.id"] == "evt-held").ToList();
        var original = deliveries.First(d => d.ParentSpanId.Length > 0); // under the webhook's send
        var defer = Child(spans, original, "defer");
        var copySend = Child(spans, defer, "send " + queue);
        var copy = deliveries.First(d => d.ParentSpanId.Length == 0);
        Assert.NotEqual(original.TraceId, copy.TraceId);
        Assert.Equal("", copy.ParentSpanId);
        Assert.Contains(copy.Links, l => l.TraceId == original.TraceId && l.SpanId == copySend.SpanId);
        Assert.Equal("Deferred", original["connect_events.disposition"]);
    }

    [Fact]
    public async Task AReplayedFailedEventIsATraceOfItsOwnLinkedToTheAttemptItReplays()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync();
        simulator.State.SeedPayment(M, "pay-rp");
        simulator.State.InjectFault("/payments/pay-rp/capture", Fault.Status(400), times: 1);
        var (settings, queue, table) = Settings(otlp, simulator);
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(DevHostProcessTests.Signed(SampleEvents.Build("payment.pending_capture", M, "pay-rp", "evt-rp")))).StatusCode);
        var failed = await ProcessSpanAsync(otlp, app, queue, "Failed");
        var replay = await Cli(queue, table).RunAsync("replay", "evt-rp");
        Assert.True(replay.ExitCode == 0, replay.ToString());
        var replayed = await ProcessSpanAsync(otlp, app, queue, "Completed");

        Assert.NotEqual(failed.TraceId, replayed.TraceId);
        Assert.Equal("", replayed.ParentSpanId);
        Assert.Contains(replayed.Links, l => l.TraceId == failed.TraceId && l.SpanId == failed.SpanId);
        var status = await Cli(queue, table).RunAsync("status", "evt-rp");
        Assert.Contains($"attempt 1: trace {failed.TraceId}", status.Out, StringComparison.Ordinal);
        Assert.Contains($"attempt 2: trace {replayed.TraceId}", status.Out, StringComparison.Ordinal);
    }

    private static OtlpSpan Child(IEnumerable<OtlpSpan> spans, OtlpSpan parent, string name) =>
        spans.FirstOrDefault(s => s.Name == name && s.ParentSpanId == parent.SpanId && s.TraceId == parent.TraceId)
        ?? throw new Xunit.Sdk.XunitException($"no span '{name}' under {parent}; spans:\n{string.Join('\n', spans)}");

    private static async Task<OtlpSpan> ProcessSpanAsync(OtlpReceiver otlp, DevHostProcess app, string queue, string disposition) =>
        (await otlp.WaitForAsync(s => s.Any(x => x.Name == "process " + queue && x["connect_events.disposition"] == disposition), () => app.Output))
        .Last(x => x.Name == "process " + queue && x["connect_events.disposition"] == disposition);

    private TableProcessedEventStore Store(string table) => new(new TableClient(azurite.ConnectionString, table), TimeProvider.System);

    private CliRunner Cli(string queue, string table) => new(new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["Events__QueueName"] = queue,
        ["Processing__Store__TableName"] = table,
    });

    /// <summary>A dev host on this Azurite with its own queue and table, Connect on the simulator, spans to <paramref name="otlp"/>.</summary>
    private (Dictionary<string, string> Settings, string Queue, string Table) Settings(OtlpReceiver otlp, SimulatorHost simulator)
    {
        var queue = AzuriteFixture.UniqueName("trace");
        var table = "pe" + Guid.NewGuid().ToString("N")[..16];
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, "k", "s");
        settings["Events__QueueName"] = queue;
        settings["Processing__Store__TableName"] = table;
        settings["Connect__Endpoint"] = simulator.BaseAddress.ToString();
        settings["Connect__ApiKeyId"] = SimulatorHost.DefaultApiKeyId;
        settings["Connect__SecretApiKey"] = SimulatorHost.DefaultSecretApiKey;
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.100";
        settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:01";
        foreach (var (key, value) in otlp.Settings())
        {
            settings[key] = value;
        }

        return (settings, queue, table);
    }
}
