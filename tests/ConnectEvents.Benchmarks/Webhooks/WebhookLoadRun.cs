using System.Globalization;
using ConnectEvents.Benchmarks.Infrastructure;
using ConnectEvents.Events;
using ConnectEvents.Functions.Webhooks;
using ConnectEvents.IntegrationTests.Infrastructure;
using Azure.Storage.Queues;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Benchmarks.Webhooks;

/// <summary>
/// Bounded loopback load on the webhook route over real Kestrel: a bare Kestrel POST endpoint, the same bare endpoint
/// making one <c>QueueClient.SendMessageAsync</c> per request to the same Azurite (the floor of a durable enqueue), then
/// the dev host (in this process, Production, <c>ProcessConnectEvent</c> disabled so only ingress runs) with an
/// in-memory publisher and with the Azurite queue, each with the same request count and concurrency.
/// Usage: <c>load webhook [requests=20000] [concurrency=32]</c>.
/// </summary>
public sealed class WebhookLoadRun : ILoadRun
{
    /// <inheritdoc />
    public string Name => "webhook";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var total = LoadArgs.Count(args, 0, 20_000);
        var concurrency = LoadArgs.Count(args, 1, 32);
        var body = SampleEvents.Build("payment.pending_capture", "1234", "000000123410000595980000100001");
        var signature = SignedWebhookPost.Sign(body);
        Console.WriteLine($"webhook load: {total} POSTs of {body.Length} bytes, {concurrency} concurrent, 127.0.0.1");

        // The dev host creates its queue at start, so even the in-memory run needs storage that answers.
        await using var azurite = await AzuriteInstance.StartAsync();
        LoadResult bareResult, bareQueueResult, inMemoryResult, queuedResult;
        await using (var bare = await StartBareAsync(queue: null))
        {
            bareResult = await MeasureAsync("bare Kestrel POST (reads body, 200)", new Uri(bare.Urls.First()), body, signature, total, concurrency);
        }

        // The same client options as the app's queue sender (base64, as the queue trigger reads it), its own queue.
        var baselineQueue = new QueueClient(azurite.ConnectionString, "load-bare-baseline", StorageClients.DefaultQueueOptions());
        await baselineQueue.CreateIfNotExistsAsync();
        await using (var bareQueue = await StartBareAsync(baselineQueue))
        {
            bareQueueResult = await MeasureAsync("bare Kestrel POST + one queue send (reads body, sends it, 200)", new Uri(bareQueue.Urls.First()), body, signature, total, concurrency);
        }

        await using (var inMemory = await LoadDevHost.StartAsync(azurite.ConnectionString, services: services => services.AddSingleton<IEventPublisher, CountingPublisher>()))
        {
            inMemoryResult = await MeasureAsync("webhook, in-memory publisher", inMemory.ServerUrl, body, signature, total, concurrency);
        }

        await using (var queued = await LoadDevHost.StartAsync(azurite.ConnectionString))
        {
            queuedResult = await MeasureAsync("webhook, Azurite Storage queue", queued.ServerUrl, body, signature, total, concurrency);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"webhook/bare: in-memory publisher {inMemoryResult.PerSecond / bareResult.PerSecond:P0} of bare req/s (p50 {inMemoryResult.P50Ms / bareResult.P50Ms:F2}x), " +
            $"Azurite queue {queuedResult.PerSecond / bareResult.PerSecond:P0} (p50 {queuedResult.P50Ms / bareResult.P50Ms:F2}x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"webhook/bare+queue send: Azurite queue {queuedResult.PerSecond / bareQueueResult.PerSecond:P0} of the bare endpoint's req/s with the same send (p50 {queuedResult.P50Ms / bareQueueResult.P50Ms:F2}x)"));
    }

    private static async Task<LoadResult> MeasureAsync(string label, Uri baseUrl, byte[] body, string signature, int total, int concurrency)
    {
        using var http = SignedWebhookPost.Client(baseUrl, concurrency);
        Task Send(int _) => SignedWebhookPost.SendAsync(http, body, signature);
        await LoadStats.RunAsync(label + " (warm-up)", Math.Min(2000, total / 10), concurrency, Send);
        return await LoadStats.RunAsync(label, total, concurrency, Send);
    }

    private static async Task<WebApplication> StartBareAsync(QueueClient? queue)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost(ConnectWebhook.Route, async (HttpContext context) =>
        {
            if (queue is null)
            {
                var buffer = new byte[4096];
                while (await context.Request.Body.ReadAsync(buffer) > 0)
                {
                }

                return Results.Ok();
            }

            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            await queue.SendMessageAsync(BinaryData.FromBytes(copy.GetBuffer().AsMemory(0, (int)copy.Length)));
            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }

    private sealed class CountingPublisher : IEventPublisher
    {
        private long _count;

        public Task PublishAsync(EventMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
