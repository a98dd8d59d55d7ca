using System.Net;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>Runs on a private Azurite so it can be stopped mid-test without disturbing other tests.</summary>
public sealed class StorageOutageTests
{
    [Fact]
    public async Task StorageDownAnswers503WithRetryAfterAndNeverASuccess()
    {
        await using var azurite = await AzuriteInstance.StartAsync();
        await using var app = new WebhookApp(azurite.ConnectionString);

        using (var before = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-1")))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await azurite.StopAsync();
        using (var during = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-2")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.True(during.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        using (var quarantineDuring = await app.PostSignedAsync("not json"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, quarantineDuring.StatusCode);
        }

        await azurite.RestartAsync();
        var retried = SampleEvents.Build("payment.paid", "1234", "pay-2");
        using (var after = await app.PostSignedAsync(retried))
        {
            Assert.True(after.StatusCode == HttpStatusCode.OK, string.Join("\n", app.Logs.GetSnapshot().TakeLast(5).Select(l => l.Message + " " + l.Exception?.Message)));
        }

        Assert.Equal(retried, Assert.Single(await app.PeekAllAsync()).Body.ToArray());
    }
}
