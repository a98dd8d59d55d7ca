using System.Net;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// The dev host's start-up order, chosen for cold start: hosted services start side by side, the WebJobs host's start
/// runs off the path to Kestrel, and a webhook that arrives before the queue was created still gets its event queued.
/// </summary>
public sealed class DevHostStartOrderTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task HostedServicesStartConcurrentlyAndTheWebJobsHostStartsInTheBackground()
    {
        await using var app = ConnectEvents.DevHost.Program.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true");

        var hosted = app.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        Assert.True(app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ServicesStartConcurrently);
        Assert.Contains("BackgroundStart", hosted);
        Assert.DoesNotContain("JobHostService", hosted);
    }

    [Fact]
    public async Task AWebhookBeforeItsQueueExistsCreatesTheQueueAndIsQueued()
    {
        await using var app = new WebhookApp(azurite.ConnectionString);
        var body = SampleEvents.Build("payment.paid", "1234", "pay-first", "evt-first");
        app.CreateClient().Dispose(); // starts the host; its queue creation runs in the background
        var queue = app.Queue();
        for (var i = 0; i < 200 && !await queue.ExistsAsync(); i++)
        {
            await Task.Delay(25);
        }

        await queue.DeleteAsync(); // as if the request had come before the start's queue creation

        using var response = await app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(await app.PeekAllAsync()).Body.ToArray());
    }
}
