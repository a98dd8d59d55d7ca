using System.Text.RegularExpressions;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.IntegrationTests.Processing;

/// <summary>Storage outages during processing, through the real queue listener.</summary>
public sealed partial class ProcessingFaultAndContractTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
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

        public Task<ReopenResult> ReopenAsync(string eventId, CancellationToken ct) => Store.ReopenAsync(eventId, ct);
    }
}
