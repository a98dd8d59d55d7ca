using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// Outages suite: storage stops answering for 20 s while Worldline keeps delivering. The webhook may refuse (503 with
/// Retry-After, so Worldline redelivers) but every event it acknowledged must be stored: a usable event on the queue, a
/// signed but unusable one in the quarantine container.
/// </summary>
public sealed class StorageHangOutageTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Suite = "outage: storage hung";
    // Every so many requests is signed but unusable, so the quarantine (blob) path is in the outage as well.
    private const int UnusableEvery = 8;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    // Body read, verification and Kestrel around the publish budget; a hung SDK call is cancelled, not waited out.
    private static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SendEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan HangAt = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ResumeAt = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan SendFor = TimeSpan.FromSeconds(35);

    [Fact]
    public async Task StorageHungForTwentySecondsAnswers503AndLosesNothingAcknowledged()
    {
        await using var queueProxy = new HangingTcpProxy(azurite.Azurite.QueuePort);
        await using var blobProxy = new HangingTcpProxy(azurite.Azurite.BlobPort);
        var throughProxies = Endpoint(Endpoint(azurite.ConnectionString, "Queue", azurite.Azurite.QueuePort, queueProxy.Port), "Blob", azurite.Azurite.BlobPort, blobProxy.Port);
        await using var app = new WebhookApp(throughProxies, new Dictionary<string, string?>
        {
            ["Events:PublishTimeout"] = PublishTimeout.ToString("c", CultureInfo.InvariantCulture),
            // Nothing takes messages off the queue: what is there at the end is what the webhook enqueued.
            ["AzureWebJobs.ProcessConnectEvent.Disabled"] = "true",
        });

        var answers = new ConcurrentBag<Answer>();
        var sends = new List<Task>();
        var unusable = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            using var ticks = new PeriodicTimer(SendEvery);
            do
            {
                if (clock.Elapsed >= HangAt && clock.Elapsed < ResumeAt)
                {
                    queueProxy.Hang();
                    blobProxy.Hang();
                }
                else
                {
                    queueProxy.Resume();
                    blobProxy.Resume();
                }

                var eventId = "evt-hang-" + Guid.NewGuid().ToString("N");
                byte[] body;
                if (sends.Count % UnusableEvery == UnusableEvery - 1)
                {
                    body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["unusable"] = eventId });
                    unusable++;
                }
                else
                {
                    body = SampleEvents.Build("payment.paid", "1234", "pay-" + eventId, eventId);
                }

                sends.Add(SendAsync(app, eventId, body, clock, answers));
            }
            while (clock.Elapsed < SendFor && await ticks.WaitForNextTickAsync());

            // Each answer is bounded by the publish budget; the wait only keeps a broken app from hanging the run.
            await Task.WhenAll(sends).WaitAsync(PublishTimeout + AnswerMargin + TimeSpan.FromSeconds(10));
        }
        finally
        {
            queueProxy.Resume();
            blobProxy.Resume();
        }

        var all = answers.ToList();
        var accepted = all.Where(a => a.Status == HttpStatusCode.OK).ToList();
        var refused = all.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        var direct = new QueueClient(azurite.ConnectionString, app.QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var quarantine = new BlobContainerClient(azurite.ConnectionString, app.QuarantineContainer);
        var stored = await ReceiveEventIdsAsync(direct);
        stored.UnionWith(await QuarantinedIdsAsync(quarantine));
        var lost = accepted.Select(a => a.EventId).Where(id => !stored.Contains(id)).ToList();
        var refusedYetStored = refused.Count(a => stored.Contains(a.EventId));
        var maxLatency = all.Max(a => a.Latency);

        // Worldline redelivers what was refused; storage is back, so each must now be taken.
        var resent = await Task.WhenAll(refused.Select(async a =>
        {
            using var response = await app.PostSignedAsync(a.Body);
            return (a.EventId, response.StatusCode);
        }));
        stored.UnionWith(await ReceiveEventIdsAsync(direct));
        stored.UnionWith(await QuarantinedIdsAsync(quarantine));

        Print($"requests sent {all.Count} ({unusable} of them signed but unusable), 2xx {accepted.Count}, 503 {refused.Count}, other {all.Count - accepted.Count - refused.Count}");
        Print($"max latency {maxLatency.TotalMilliseconds:F0} ms (bound {(PublishTimeout + AnswerMargin).TotalMilliseconds:F0} ms)");
        Print($"acknowledged-but-lost = {lost.Count}");
        Print($"503 yet stored before the re-send (the write landed as the budget ran out, near resume: a duplicate, not a loss) = {refusedYetStored}");
        Print($"re-sent after resume {resent.Length}, accepted {resent.Count(r => r.StatusCode == HttpStatusCode.OK)}");
        Print($"proxy connections: queue {queueProxy.Accepted}, blob {blobProxy.Accepted}");

        Assert.Equal(sends.Count, all.Count);
        Assert.All(all, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{a.EventId} answered {(int)a.Status} ({a.Error})"));
        Assert.All(refused, a => Assert.True(a.RetryAfter > TimeSpan.Zero, $"{a.EventId}: 503 without Retry-After"));
        Assert.True(maxLatency <= PublishTimeout + AnswerMargin, $"slowest answer took {maxLatency.TotalMilliseconds:F0} ms");
        Assert.Empty(lost);
        // Without both, the run proved nothing: storage was never hung, or never answered.
        Assert.NotEmpty(refused);
        Assert.NotEmpty(accepted);
        Assert.All(resent, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(refused, a => Assert.Contains(a.EventId, stored));
    }

    private static string Endpoint(string connectionString, string service, int from, int to)
    {
        var direct = $"{service}Endpoint=http://127.0.0.1:{from}/";
        Assert.Contains(direct, connectionString, StringComparison.Ordinal);
        return connectionString.Replace(direct, $"{service}Endpoint=http://127.0.0.1:{to}/", StringComparison.Ordinal);
    }

    private static async Task SendAsync(WebhookApp app, string eventId, byte[] body, Stopwatch clock, ConcurrentBag<Answer> answers)
    {
        var started = clock.Elapsed;
        try
        {
            using var response = await app.PostSignedAsync(body);
            answers.Add(new Answer(eventId, body, response.StatusCode, response.Headers.RetryAfter?.Delta, clock.Elapsed - started, null));
        }
        catch (HttpRequestException ex)
        {
            // No answer at all counts against the webhook: recorded, never thrown, so every other answer is still seen.
            answers.Add(new Answer(eventId, body, 0, null, clock.Elapsed - started, ex.Message));
        }
    }

    /// <summary>Every event id on the queue, read straight from Azurite (not through the proxy); received messages stay hidden for the rest of the test.</summary>
    private static async Task<HashSet<string>> ReceiveEventIdsAsync(QueueClient queue)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0)
            {
                return ids;
            }

            foreach (var message in batch)
            {
                using var json = JsonDocument.Parse(message.Body);
                ids.Add(json.RootElement.GetProperty("id").GetString()!);
            }
        }
    }

    /// <summary>The marker of every quarantined body, read straight from Azurite's blob endpoint.</summary>
    private static async Task<HashSet<string>> QuarantinedIdsAsync(BlobContainerClient container)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (!await container.ExistsAsync())
        {
            return ids;
        }

        await foreach (var blob in container.GetBlobsAsync())
        {
            var entry = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content;
            using var json = JsonDocument.Parse(entry);
            using var body = JsonDocument.Parse(json.RootElement.GetProperty("body").GetBytesFromBase64());
            ids.Add(body.RootElement.GetProperty("unusable").GetString()!);
        }

        return ids;
    }

    private void Print(string line) => SuiteFigures.Print(output, Suite, line);

    private sealed record Answer(string EventId, byte[] Body, HttpStatusCode Status, TimeSpan? RetryAfter, TimeSpan Latency, string? Error);
}
