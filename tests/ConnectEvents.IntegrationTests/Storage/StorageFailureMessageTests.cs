using System.Globalization;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;

namespace ConnectEvents.IntegrationTests.Storage;

/// <summary>With nothing listening where storage should be, the failure the webhook logs says so, naming the endpoint.</summary>
public sealed class StorageFailureMessageTests
{
    [Fact]
    public async Task AStoppedAzuriteIsReportedAsConnectionRefusedAtItsEndpoint()
    {
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var storage = StorageClients.FromConnectionString(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;");
        var sender = new QueueSender(storage.Queue("connect-events"));

        var error = await Assert.ThrowsAsync<EventPublishException>(() => sender.SendAsync(new byte[] { 1 }, TimeSpan.Zero, CancellationToken.None));

        Assert.Equal($"Storage queue 'connect-events' did not accept the event: connection refused at http://127.0.0.1:{port}: is Azurite running?", error.Message);
        Assert.False(error.IsConfigurationError);
    }
}
