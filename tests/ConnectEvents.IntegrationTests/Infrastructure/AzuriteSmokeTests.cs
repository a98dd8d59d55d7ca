using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace ConnectEvents.IntegrationTests.Infrastructure;

public sealed class AzuriteSmokeTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task AzuriteServesTablesAndQueuesOnLoopback()
    {
        var table = new TableClient(fixture.ConnectionString, AzuriteFixture.UniqueName("smoke"));
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["v"] = 1 });
        var read = await table.GetEntityAsync<TableEntity>("p", "r");
        Assert.Equal(1, read.Value.GetInt32("v"));

        var queue = new QueueClient(fixture.ConnectionString, AzuriteFixture.UniqueName("smoke"));
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("hello");
        var received = await queue.ReceiveMessageAsync();
        Assert.Equal("hello", received.Value.MessageText);
    }
}
