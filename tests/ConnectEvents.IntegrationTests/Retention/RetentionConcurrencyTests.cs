using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Messaging;
using ConnectEvents.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.IntegrationTests.Retention;

/// <summary>Retention runs on Azurite that overlap (two instances at once) or stop at their bound and carry on.</summary>
public sealed class RetentionConcurrencyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task TwoRunsAtOnceDeleteEachExpiredRecordOnceAndNeitherFails()
    {
        var (store, table, run) = await SeedAsync(count: 120, maxPerRun: 1_000);

        var reports = await Task.WhenAll(run().RunAsync(default), run().RunAsync(default));

        Assert.Equal(120, reports.Sum(r => r.RecordsDeleted));
        Assert.All(reports, r => Assert.True(r.Complete));
        Assert.Empty(await table.QueryAsync<TableEntity>().ToListAsync());
        Assert.Null(await store.GetAsync("evt-0", default));
    }

    [Fact]
    public async Task ARunStopsAtItsBoundAndTheNextCarriesOn()
    {
        var (_, table, run) = await SeedAsync(count: 25, maxPerRun: 10);

        var first = await run().RunAsync(default);
        var rest = new List<RetentionReport>();
        for (var i = 0; i < 3; i++)
        {
            rest.Add(await run().RunAsync(default));
        }

        Assert.Equal((10, false), (first.RecordsDeleted, first.Complete));
        Assert.Equal(15, rest.Sum(r => r.RecordsDeleted));
        Assert.True(rest[^1].Complete);
        Assert.Empty(await table.QueryAsync<TableEntity>().ToListAsync());
    }

    private async Task<(TableProcessedEventStore Store, TableClient Table, Func<RetentionRun> Run)> SeedAsync(int count, int maxPerRun)
    {
        var table = new TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("records"));
        var store = new TableProcessedEventStore(table, _time);
        for (var i = 0; i < count; i++)
        {
            var claim = await store.ClaimAsync($"evt-{i}", "worker", TimeSpan.FromMinutes(5), new EventClaimInfo("payment.paid", "m", "p"), default);
            await store.FailAsync(claim.Record!, "declined", null, default);
        }

        _time.Advance(TimeSpan.FromDays(91));
        var options = new ServiceCollection().AddOptions().Configure<RetentionOptions>(o => o.MaxPerRun = maxPerRun)
            .BuildServiceProvider().GetRequiredService<IOptionsMonitor<RetentionOptions>>();
        var quarantine = new BlobQuarantineStore(new BlobContainerClient(azurite.ConnectionString, AzuriteFixture.UniqueName("quarantine")));
        return (store, table, () => new RetentionRun(new TableProcessedEventStore(table, _time), quarantine, options, _time, NullLogger<RetentionRun>.Instance));
    }
}
