using System.Net;
using System.Text;
using ConnectEvents.Benchmarks.Infrastructure;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Messaging;
using ConnectEvents.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Benchmarks.Webhooks;

/// <summary>
/// Bounded loopback load on the webhook route over real Kestrel: a bare Kestrel POST endpoint, the app with an
/// in-memory publisher, and the app with the Azurite queue, each with the same request count and concurrency.
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
        var signature = WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(LoadFunctionApp.Secret));
        Console.WriteLine($"webhook load: {total} POSTs of {body.Length} bytes, {concurrency} concurrent, 127.0.0.1");

        await using (var bare = await StartBareAsync())
        {
            await MeasureAsync("bare Kestrel POST (reads body, 200)", bare.Urls.First(), body, signature, total, concurrency);
        }

        using (var inMemory = new LoadFunctionApp(null, services: services => services.AddSingleton<IEventPublisher, CountingPublisher>()))
        {
            await MeasureAsync("webhook, in-memory publisher", inMemory.ServerUrl, body, signature, total, concurrency);
        }

        await using var azurite = await AzuriteInstance.StartAsync();
        using var queued = new LoadFunctionApp(azurite.ConnectionString);
        await MeasureAsync("webhook, Azurite Storage queue", queued.ServerUrl, body, signature, total, concurrency);
    }

    private static async Task MeasureAsync(string label, string baseUrl, byte[] body, string signature, int total, int concurrency)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };

        async Task Send(int _)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect") { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            request.Headers.TryAddWithoutValidation("X-GCS-Signature", signature);
            request.Headers.TryAddWithoutValidation("X-GCS-KeyId", LoadFunctionApp.KeyId);
            using var response = await http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{(int)response.StatusCode}");
            }
        }

        await LoadStats.RunAsync(label + " (warm-up)", Math.Min(2000, total / 10), concurrency, Send);
        await LoadStats.RunAsync(label, total, concurrency, Send);
    }

    private static async Task<WebApplication> StartBareAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/api/webhooks/connect", async (HttpContext context) =>
        {
            var buffer = new byte[4096];
            while (await context.Request.Body.ReadAsync(buffer) > 0)
            {
            }

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
