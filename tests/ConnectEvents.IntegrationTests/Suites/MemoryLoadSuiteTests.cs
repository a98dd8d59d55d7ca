using System.Diagnostics;
using System.Net;
using System.Text;
using Azure.Storage.Queues;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Webhooks;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// Memory load suite: the dev host process under a 384 MiB heap cap (a 512 MB Flex instance) takes 1,000 concurrent
/// connections that each declare and send 1,000,000 bytes with the configured key id and a random signature, while
/// genuine signed webhooks are sent beside them. Every upload sends all but its last 1,000 bytes and then waits until all
/// have got that far (or been answered), so the bodies are in flight together as they would be from slow senders:
/// without the body budget that is about 1 GB of buffers, and the process dies of an out-of-memory error. Prints the
/// answers by status, the peak resident memory (VmHWM) and the time.
/// </summary>
[Collection(MemoryLoadSuiteRunsAlone.Name)]
public sealed class MemoryLoadSuiteTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Suite = "memory-load";
    private const string KeyId = "load-key";
    private const string Secret = "load-secret-5d1e";
    private const int Connections = 1000;
    private const int BodyBytes = 1_000_000;
    private const int GenuineWebhooks = 20;

    [Fact]
    public async Task AThousandOneMegabyteUploadsUnderA384MiBHeapLeaveTheProcessAliveWithNo500AndGenuineWebhooksAccepted()
    {
        var queue = AzuriteFixture.UniqueName("memload");
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, KeyId, Secret);
        settings["DOTNET_GCHeapHardLimit"] = "0x18000000";
        settings["Events__QueueName"] = queue;
        settings["AzureWebJobs.ProcessConnectEvent.Disabled"] = "true";
        await using var app = await DevHostProcess.StartAsync(settings);

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Connections + GenuineWebhooks, PooledConnectionLifetime = TimeSpan.FromSeconds(30) };
        using var http = new HttpClient(handler) { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var body = new byte[BodyBytes];
        Random.Shared.NextBytes(body);
        var clock = Stopwatch.StartNew();

        var barrier = new Barrier(Connections);
        var load = Enumerable.Range(0, Connections).Select(_ => UploadAsync(http, body, barrier)).ToArray();
        var genuine = Enumerable.Range(0, GenuineWebhooks).Select(i => GenuineAsync(http, i)).ToArray();
        var answers = await Task.WhenAll(load);
        var loadTime = clock.Elapsed;
        var accepted = await Task.WhenAll(genuine);
        var total = clock.Elapsed;

        var alive = !app.HasExited;
        var peak = alive ? app.PeakResidentBytes : -1;
        using var afterwards = alive ? await http.GetAsync(new Uri("/api/webhooks/connect", UriKind.Relative)) : null;
        var byStatus = answers.GroupBy(a => a).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}");
        SuiteFigures.Print(output, Suite, $"{Connections} uploads of {BodyBytes:N0} bytes under DOTNET_GCHeapHardLimit=0x18000000: {string.Join(", ", byStatus)}; all answered in {loadTime.TotalSeconds:F1} s");
        SuiteFigures.Print(output, Suite, $"genuine webhooks: {accepted.Count(a => a.Status == HttpStatusCode.OK)}/{GenuineWebhooks} accepted, " +
            $"{accepted.Sum(a => a.Attempts - 1)} retries (after a 503 or a refused connection), slowest {accepted.Max(a => a.Took).TotalSeconds:F1} s; whole run {total.TotalSeconds:F1} s");
        SuiteFigures.Print(output, Suite, $"process alive: {alive}; peak resident memory (VmHWM): {peak / (1024 * 1024)} MiB");

        Assert.True(alive, "the dev host died under the load:\n" + app.Output);
        Assert.Equal(HttpStatusCode.BadRequest, afterwards!.StatusCode); // still answering (GET without the verification header)
        Assert.DoesNotContain(answers, a => a.StartsWith('5') && a != "503");
        Assert.Contains(answers, a => a == "503"); // the budget was what held the heap, not a lucky schedule
        Assert.All(accepted, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.DoesNotContain("OutOfMemory", app.Output, StringComparison.Ordinal);
        var queued = (await new QueueClient(azurite.ConnectionString, queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        Assert.Equal(GenuineWebhooks, queued);
    }

    // One upload: the status code as text, or the exception's type when no answer came.
    private static async Task<string> UploadAsync(HttpClient http, byte[] body, Barrier barrier)
    {
        var content = new HeldBackContent(body, barrier);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect") { Content = content };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", KeyId);
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        try
        {
            using var response = await http.SendAsync(request);
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return ex.GetType().Name;
        }
        finally
        {
            content.Arrive(); // answered before its body was sent whole (a 503): it no longer holds the others back
        }
    }

    // A Connect-sized signed event, retried after a 503's Retry-After as Worldline would, for at most 20 s.
    private static async Task<(HttpStatusCode Status, int Attempts, TimeSpan Took)> GenuineAsync(HttpClient http, int i)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(50 * i)); // spread over the load's first second
        var clock = Stopwatch.StartNew();
        var body = SampleEvents.Build("payment.pending_capture", "1234", $"pay-load-{i}", $"evt-load-{i}");
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect") { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=UTF-8");
            request.Headers.TryAddWithoutValidation("X-GCS-KeyId", KeyId);
            request.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(Secret)));
            HttpStatusCode status;
            TimeSpan wait = TimeSpan.FromSeconds(1);
            try
            {
                using var response = await http.SendAsync(request);
                status = response.StatusCode;
                wait = response.Headers.RetryAfter?.Delta ?? wait;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                status = 0;
            }

            if (status == HttpStatusCode.OK || clock.Elapsed > TimeSpan.FromSeconds(20) || status is not (HttpStatusCode.ServiceUnavailable or 0))
            {
                return (status, attempt, clock.Elapsed);
            }

            await Task.Delay(wait);
        }
    }

    /// <summary>Counts uploads that have sent all but their tail (or have been answered); when all have, the tails go.</summary>
    private sealed class Barrier(int parties)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public Task All => _all.Task;

        public void Arrive()
        {
            if (Interlocked.Increment(ref _arrived) == parties)
            {
                _all.TrySetResult();
            }
        }
    }

    /// <summary>A declared-length body that sends all but its last 1,000 bytes, then waits for the barrier (15 s at most).</summary>
    private sealed class HeldBackContent(byte[] body, Barrier barrier) : HttpContent
    {
        private int _arrived;

        public void Arrive()
        {
            if (Interlocked.Exchange(ref _arrived, 1) == 0)
            {
                barrier.Arrive();
            }
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length - 1000));
            await stream.FlushAsync();
            Arrive();
            await Task.WhenAny(barrier.All, Task.Delay(TimeSpan.FromSeconds(15)));
            await stream.WriteAsync(body.AsMemory(body.Length - 1000));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
