using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Storage;
using ConnectEvents.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.IntegrationTests.Idempotence;

/// <summary>Runs on a private Azurite so it can be stopped mid-test; the stores come from the app's own registration.</summary>
public sealed class StoreOutageTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly EventClaimInfo Info = new("payment.paid", "1234", "pay-1");

    [Fact]
    public async Task StorageDownSurfacesAsStoreUnavailableAndTheStoresRecoverWhenItIsBack()
    {
        await using var azurite = await AzuriteInstance.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Processing:Store:TableName"] = AzuriteFixture.UniqueName("events"),
            ["TokenVault:TableName"] = AzuriteFixture.UniqueName("vault"),
        }).Build();
        await using var services = new ServiceCollection().AddProcessedEventStore(configuration).AddTokenVault(configuration).BuildServiceProvider();
        var store = services.GetRequiredService<IProcessedEventStore>();
        var vault = services.GetRequiredService<ITokenVault>();
        var token = new StoredToken("1234", "cust", "tok", 1, "pay-1", DateTimeOffset.UtcNow, null, null);

        var before = await store.ClaimAsync("evt-before", "worker", Lease, Info, default);
        Assert.Equal(ClaimStatus.Claimed, before.Status);
        Assert.True((await vault.AddAndTrimAsync(token, default)).IsNew);

        await azurite.StopAsync();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ClaimAsync("evt-during", "worker", Lease, Info, default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CompleteAsync(before.Record!, "captured", null, default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ReleaseAsync(before.Record!, "x", default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.MarkDeadLetteredAsync("evt-during", "poisoned", default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("evt-before", default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => vault.AddAndTrimAsync(token, default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => vault.ListAsync("1234", "cust", default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => vault.RemoveEverywhereAsync("1234", "tok", default));

        // Azurite comes back empty (in memory): the tables are created again on the next call.
        await azurite.RestartAsync();
        var after = await store.ClaimAsync("evt-during", "worker", Lease, Info, default);
        Assert.Equal(ClaimStatus.Claimed, after.Status);
        Assert.True((await vault.AddAndTrimAsync(token, default)).IsNew);
        Assert.Single(await vault.ListAsync("1234", "cust", default));
    }
}
