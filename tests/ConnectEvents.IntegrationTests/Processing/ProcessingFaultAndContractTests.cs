using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Processing;
using ConnectEvents.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.IntegrationTests.Processing;

/// <summary>Storage outages during processing, and the trigger invocation contract as the host would call it.</summary>
[Collection(AzuriteCollectionDefinition.Name)]
public sealed partial class ProcessingFaultAndContractTests(AzuriteFixture azurite)
{
    private const string M = Pipeline.Merchant;

    [Fact]
    public async Task TableStorageDownFailsTheInvocationAndTheMessageIsProcessedOnceItIsBack()
    {
        // The processed-event store first talks to a port where nothing listens (a real SDK client, a real connection refusal).
        var dead = TableEndpoint().Replace(azurite.ConnectionString, $"TableEndpoint=http://127.0.0.1:{FreePort.Next()}/devstoreaccount1;");
        var switchable = new SwitchableStore();
        await using var p = await Pipeline.StartAsync(azurite, services: s => s.AddSingleton<IProcessedEventStore>(switchable));
        switchable.Current = new TableProcessedEventStore(StorageClients.FromConnectionString(dead).Table(p.EventsTable), TimeProvider.System);
        p.Simulator.State.SeedPayment(M, "pay-down");

        await ProcessingPipelineTests.PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-down", "evt-down"));
        await WaitUntilAsync(() => switchable.Calls >= 2);

        Assert.Equal(0, p.Simulator.State.CountCaptures(M, "pay-down"));
        Assert.Equal(1, (await p.App.Queue().GetPropertiesAsync()).Value.ApproximateMessagesCount); // still queued, invisible between retries

        switchable.Current = p.Store();
        await p.WaitForStateAsync("evt-down", ProcessingState.Completed);

        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-down"));
    }

    [Fact]
    public async Task TheQueueTriggerPayloadIsProcessedAndAnsweredAsTheHostExpects()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?> { ["Processing:Pump:Enabled"] = "false" });
        p.Simulator.State.SeedPayment(M, "pay-q");
        var body = SampleEvents.Build("payment.pending_capture", M, "pay-q", "evt-q");
        var payload = """
            {"Data":{"message":"BODY64"},
             "Metadata":{"DequeueCount":"1","Id":"\"5f3c\"","PopReceipt":"\"AgAAAA\"","InsertionTime":"2026-03-01T10:00:00+00:00","sys":{"MethodName":"ProcessConnectEventQueue"}}}
            """.Replace("BODY64", Convert.ToBase64String(body), StringComparison.Ordinal);

        using var response = await InvokeAsync(p, "/ProcessConnectEventQueue", payload);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("captured", json.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-q"));
    }

    [Fact]
    public async Task TheServiceBusTriggerPayloadIsProcessedAndAnsweredAsTheHostExpects()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?> { ["Processing:Pump:Enabled"] = "false" });
        p.Simulator.State.SeedPayment(M, "pay-sb");
        var body = SampleEvents.Build("payment.pending_capture", M, "pay-sb", "evt-sb");
        var payload = """
            {"Data":{"message":"BODY64"},
             "Metadata":{"DeliveryCount":"1","MessageId":"\"evt-sb\"","ContentType":"\"application/json\"","Subject":"\"payment.pending_capture\"",
              "SequenceNumber":"17","EnqueuedTimeUtc":"2026-03-01T10:00:00","ApplicationProperties":{"eventType":"payment.pending_capture"},
              "MessageActions":{},"sys":{"MethodName":"ProcessConnectEvent","UtcNow":"2026-03-01T10:00:01.123Z"}}}
            """.Replace("BODY64", Convert.ToBase64String(body), StringComparison.Ordinal);

        using var first = await InvokeAsync(p, "/ProcessConnectEvent", payload);
        using var again = await InvokeAsync(p, "/ProcessConnectEvent", payload);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("skipped", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-sb"));
    }

    [Fact]
    public async Task APayloadThatIsNotTheHostsShapeFailsTheInvocationWithAReason()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?> { ["Processing:Pump:Enabled"] = "false" });

        using var response = await InvokeAsync(p, "/ProcessConnectEventQueue", """{"Data":{"message":{"id":"evt"}}}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("dataType", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> InvokeAsync(Pipeline p, string path, string payload)
    {
        using var content = new StringContent(payload, Encoding.UTF8, "application/json");
        return await p.App.CreateClient().PostAsync(path, content);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(25);
        }
    }

    [GeneratedRegex("TableEndpoint=[^;]*;")]
    private static partial Regex TableEndpoint();

    /// <summary>Delegates to a store that the test can swap, to take Table storage away and give it back.</summary>
    private sealed class SwitchableStore : IProcessedEventStore
    {
        private int _calls;

        public IProcessedEventStore? Current { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        private IProcessedEventStore Store
        {
            get
            {
                Interlocked.Increment(ref _calls);
                return Current ?? throw new StoreUnavailableException("not configured yet");
            }
        }

        public Task<ClaimResult> ClaimAsync(string eventId, string owner, TimeSpan lease, EventClaimInfo info, CancellationToken ct) => Store.ClaimAsync(eventId, owner, lease, info, ct);

        public Task CompleteAsync(ProcessedEventRecord claimed, string outcome, string? detailJson, CancellationToken ct) => Store.CompleteAsync(claimed, outcome, detailJson, ct);

        public Task FailAsync(ProcessedEventRecord claimed, string reason, string? detailJson, CancellationToken ct) => Store.FailAsync(claimed, reason, detailJson, ct);

        public Task MarkDeadLetteredAsync(string eventId, string reason, CancellationToken ct) => Store.MarkDeadLetteredAsync(eventId, reason, ct);

        public Task ReleaseAsync(ProcessedEventRecord claimed, string? lastError, CancellationToken ct) => Store.ReleaseAsync(claimed, lastError, ct);

        public Task<ProcessedEventRecord?> GetAsync(string eventId, CancellationToken ct) => Store.GetAsync(eventId, ct);
    }
}
