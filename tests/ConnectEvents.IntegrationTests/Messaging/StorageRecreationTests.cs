using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;

namespace ConnectEvents.IntegrationTests.Messaging;

/// <summary>The queue publisher and the quarantine store against Azurite: deleted resources come back, refused access is a configuration error.</summary>
public sealed class StorageRecreationTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"id\":\"evt-1\"}");

    [Fact]
    public async Task AQueueDeletedAfterFirstUseIsCreatedAgainAndTheEventKept()
    {
        var queue = StorageClients.FromConnectionString(fixture.ConnectionString).Queue(AzuriteFixture.UniqueName("recreate"));
        var publisher = new StorageQueueEventPublisher(new QueueSender(queue));
        await publisher.PublishAsync(Message(), CancellationToken.None);

        await queue.DeleteAsync();
        await publisher.PublishAsync(Message(), CancellationToken.None);

        var received = await queue.ReceiveMessagesAsync(maxMessages: 10);
        Assert.Equal(Body, Assert.Single(received.Value).Body.ToArray());
    }

    [Fact]
    public async Task AQuarantineContainerDeletedAfterFirstUseIsCreatedAgainAndTheEntryKept()
    {
        var container = StorageClients.FromConnectionString(fixture.ConnectionString).BlobContainer(AzuriteFixture.UniqueName("recreate"));
        var store = new BlobQuarantineStore(container);
        await store.StoreAsync(Entry("first"), CancellationToken.None);

        await container.DeleteAsync();
        var second = Entry("second");
        await store.StoreAsync(second, CancellationToken.None);

        Assert.Equal(Body, (await store.ReadAsync(BlobQuarantineStore.BlobNameFor(second), CancellationToken.None))!.Body);
    }

    [Fact]
    public async Task AQuarantineContainerThatRefusesTheKeyIsAConfigurationError()
    {
        var container = new BlobContainerClient(WrongKey(fixture.ConnectionString), AzuriteFixture.UniqueName("refused"),
            StorageClients.WithShortRetries(new BlobClientOptions()));

        var error = await Assert.ThrowsAsync<EventPublishException>(() => new BlobQuarantineStore(container).StoreAsync(Entry("x"), CancellationToken.None));

        Assert.True(error.IsConfigurationError, error.Message);
    }

    [Fact]
    public async Task AQueueThatRefusesTheKeyIsAConfigurationError()
    {
        var queue = new QueueClient(WrongKey(fixture.ConnectionString), AzuriteFixture.UniqueName("refused"), StorageClients.DefaultQueueOptions());

        var error = await Assert.ThrowsAsync<EventPublishException>(() => new StorageQueueEventPublisher(new QueueSender(queue)).PublishAsync(Message(), CancellationToken.None));

        Assert.True(error.IsConfigurationError, error.Message);
    }

    private static EventMessage Message() =>
        new(Body, new EventMetadata("evt-1", "payment.created", "1234", "payment", "pay-1", "v1", "key-1", DateTimeOffset.UtcNow));

    private static QuarantinedEvent Entry(string id) =>
        new(id, "unsupported apiVersion 'v2'", "key-1", DateTimeOffset.UtcNow, new Dictionary<string, string>(), Body);

    /// <summary>The same account with another (well-formed) key, so every request's signature is refused.</summary>
    private static string WrongKey(string connectionString) =>
        string.Join(';', connectionString.Split(';').Select(part =>
            part.StartsWith("AccountKey=", StringComparison.Ordinal) ? "AccountKey=" + Convert.ToBase64String(new byte[64]) : part));
}
