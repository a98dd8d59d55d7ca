using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;
using ConnectEvents.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.IntegrationTests.Retention;

/// <summary>
/// Retention end to end: the dev host on real Kestrel runs <c>ApplyRetention</c> on its schedule from the app's clock
/// (a <see cref="FakeTimeProvider"/> here), against its own table and quarantine container on Azurite, with the shipped
/// periods (Completed 30 days, its body 7, Failed 90, quarantine 90).
/// </summary>
public sealed class RetentionThroughDevHostTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly byte[] Body = """{"id":"evt","type":"payment.paid"}"""u8.ToArray();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task TheScheduledRunDeletesWhatExpiredTrimsOldBodiesAndLeavesEverythingElse()
    {
        var tableName = AzuriteFixture.UniqueName("records");
        var store = new TableProcessedEventStore(new TableClient(azurite.ConnectionString, tableName), _time);
        var start = _time.GetUtcNow();
        await CompleteAsync(store, "old-completed");
        await FailAsync(store, "old-failed");
        await store.ClaimAsync("stuck", "worker", Lease, Info(), default); // Processing, its lease long gone
        _time.Advance(TimeSpan.FromDays(23));
        await CompleteAsync(store, "week-old-completed");
        _time.Advance(TimeSpan.FromDays(8) - TimeSpan.FromHours(1));
        await CompleteAsync(store, "fresh-completed");
        _time.Advance(TimeSpan.FromHours(1));

        await using var app = new WebhookApp(azurite.ConnectionString,
            new Dictionary<string, string?> { ["Processing:Store:TableName"] = tableName },
            services => services.AddSingleton<TimeProvider>(_time));
        var quarantine = new BlobQuarantineStore(new BlobContainerClient(azurite.ConnectionString, app.QuarantineContainer));
        await quarantine.StoreAsync(Quarantined("q-old", start - TimeSpan.FromDays(61)), default);
        await quarantine.StoreAsync(Quarantined("q-recent", start), default);
        _ = app.Services; // starts the host and its timer

        await AdvanceUntilARunAsync(app);

        Assert.Null(await store.GetAsync("old-completed", default));
        Assert.Equal(ProcessingState.Failed, (await store.GetAsync("old-failed", default))?.State);
        Assert.NotNull((await store.GetAsync("old-failed", default))!.Body);
        Assert.Equal(ProcessingState.Processing, (await store.GetAsync("stuck", default))?.State);
        var trimmed = await store.GetAsync("week-old-completed", default);
        Assert.Equal((ProcessingState.Completed, (ReadOnlyMemory<byte>?)null), (trimmed?.State, trimmed?.Body));
        Assert.Equal(Body, (await store.GetAsync("fresh-completed", default))!.Body!.Value.ToArray());
        Assert.Null(await quarantine.ReadAsync(BlobQuarantineStore.BlobNameFor(Quarantined("q-old", start - TimeSpan.FromDays(61))), default));
        Assert.NotNull(await quarantine.ReadAsync(BlobQuarantineStore.BlobNameFor(Quarantined("q-recent", start)), default));
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Message.Contains("Retention: 1 records deleted, 1 stored bodies removed, 1 quarantine entries deleted", StringComparison.Ordinal));
    }

    // The timer waits on the app's clock: move it a quarter of an hour at a time (one occurrence each) until a run is logged.
    private async Task AdvanceUntilARunAsync(WebhookApp app)
    {
        for (var step = 0; step < 200; step++)
        {
            if (app.Logs.GetSnapshot().Any(l => l.Message.StartsWith("Retention:", StringComparison.Ordinal)))
            {
                return;
            }

            _time.Advance(TimeSpan.FromMinutes(15));
            await Task.Delay(100);
        }

        Assert.Fail("The dev host ran no retention within 200 schedule steps.");
    }

    private static async Task CompleteAsync(TableProcessedEventStore store, string id)
    {
        var claim = await store.ClaimAsync(id, "worker", Lease, Info(), default);
        await store.CompleteAsync(claim.Record!, "no-action", null, default);
    }

    private static async Task FailAsync(TableProcessedEventStore store, string id)
    {
        var claim = await store.ClaimAsync(id, "worker", Lease, Info(), default);
        await store.FailAsync(claim.Record!, "declined", null, default);
    }

    private static EventClaimInfo Info() => new("payment.paid", "m-1", "pay-1") { Body = Body };

    private static QuarantinedEvent Quarantined(string id, DateTimeOffset receivedAt) =>
        new(id, "unparsable", "key-1", receivedAt, new Dictionary<string, string>(), [1, 2, 3]);
}
