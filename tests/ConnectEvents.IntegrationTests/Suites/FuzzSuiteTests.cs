using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Webhooks;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// Fuzz suite: over ten thousand malformed, oversized, slow, mis-signed and header-smuggling requests against the webhook
/// of a dev host process, with genuine events in between. Nothing may answer 5xx, nothing unsigned may be enqueued or
/// quarantined, every genuine event must get through, and the process's memory must stay bounded.
/// </summary>
public sealed class FuzzSuiteTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Path = "/api/webhooks/connect";
    private const string KeyId = "fuzz-key";
    private const string Secret = "fuzz-secret-3b9e";
    private const long MaxPeakResidentBytes = 512L * 1024 * 1024;

    [Fact]
    public async Task TenThousandHostileRequestsGetNo5xxEnqueueNothingUnsignedAndLeaveGenuineEventsThrough()
    {
        var queueName = AzuriteFixture.UniqueName("fuzz");
        var quarantine = AzuriteFixture.UniqueName("fuzzq");
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, KeyId, Secret);
        settings["Events__QueueName"] = queueName;
        settings["Webhooks__QuarantineContainer"] = quarantine;
        settings["AzureWebJobs.ProcessConnectEvent.Disabled"] = "true";
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var random = new Random(20261125);
        var requests = new List<(string Kind, Func<Task<int>> Send)>();
        var genuine = new List<string>();
        void Add(string kind, int count, Func<int, Func<Task<int>>> make)
        {
            for (var i = 0; i < count; i++)
            {
                requests.Add((kind, make(i)));
            }
        }

        Add("mis-signed", 4000, i => () => Post(http, Event($"evt-mis-{i}"), RandomSignature(random), KeyId));
        Add("unknown-key", 1500, i =>
        {
            var body = Event($"evt-uk-{i}");
            return () => Post(http, body, Sign(body), "key-" + random.Next());
        });
        Add("missing-or-repeated-headers", 1000, i => () => HeaderVariant(http, i, Event($"evt-h-{i}")));
        Add("random-bytes", 1500, i => () => Post(http, RandomBytes(random, random.Next(0, 4096)), RandomSignature(random), KeyId));
        Add("oversized", 200, i => () => Post(http, new byte[1024 * 1024 + 1 + random.Next(0, 65536)], RandomSignature(random), KeyId));
        Add("smuggling", 1500, i => () => RawHttp.SendAsync(app.Port, Smuggling(i, app.Port), TimeSpan.FromSeconds(15)));
        Add("slow-announced-1MiB", 50, _ => () => RawHttp.SlowUploadAsync(app.Port, Path, 1024 * 1024, 20, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20)));
        Add("genuine", 300, i =>
        {
            var id = $"evt-genuine-{i}-{Guid.NewGuid():N}";
            var body = Event(id);
            genuine.Add(id);
            return () => Post(http, body, Sign(body), KeyId);
        });

        var order = requests.OrderBy(_ => random.Next()).ToList();
        var statuses = new ConcurrentDictionary<(string Kind, int Status), int>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (request, _) =>
        {
            var status = await request.Send();
            statuses.AddOrUpdate((request.Kind, status), 1, (_, n) => n + 1);
        });
        watch.Stop();

        var peak = app.PeakResidentBytes;
        var queue = new QueueClient(azurite.ConnectionString, queueName);
        var enqueued = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var container = new BlobContainerClient(azurite.ConnectionString, quarantine);
        var quarantined = await container.ExistsAsync() ? container.GetBlobs().Count() : 0;

        var report = new StringBuilder()
            .AppendLine($"{order.Count} requests in {watch.Elapsed.TotalSeconds:F1} s; peak RSS {peak / (1024.0 * 1024):F0} MiB; enqueued {enqueued} (genuine {genuine.Count}); quarantined {quarantined}")
            .AppendJoin(Environment.NewLine, statuses.OrderBy(s => s.Key.Kind, StringComparer.Ordinal).ThenBy(s => s.Key.Status)
                .Select(s => $"  {s.Key.Kind,-28} {(s.Key.Status < 0 ? "closed" : s.Key.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)),6} x {s.Value}"))
            .ToString();
        SuiteFigures.Print(output, "fuzz", report);

        Assert.True(order.Count >= 10_000);
        Assert.DoesNotContain(statuses, s => s.Key.Status >= 500);
        Assert.Equal(genuine.Count, statuses.Where(s => s.Key.Kind == "genuine" && s.Key.Status == 200).Sum(s => s.Value));
        Assert.Equal(genuine.Count, enqueued);
        Assert.Equal(0, quarantined);
        Assert.DoesNotContain(statuses, s => s.Key.Kind != "genuine" && s.Key.Status is >= 200 and < 300);
        Assert.True(peak < MaxPeakResidentBytes, $"peak RSS {peak} bytes");
        Assert.DoesNotContain("Unhandled exception", app.Output, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Event(string id) => SampleEvents.Build("payment.pending_capture", "1234", "pay-" + id, id);

    private static string Sign(byte[] body) => WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(Secret));

    private static string RandomSignature(Random random) => Convert.ToBase64String(RandomBytes(random, 32));

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task<int> Post(HttpClient http, byte[] body, string? signature, string? keyId, Action<HttpRequestMessage>? more = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-GCS-Signature", signature);
        }

        if (keyId is not null)
        {
            request.Headers.TryAddWithoutValidation("X-GCS-KeyId", keyId);
        }

        more?.Invoke(request);
        try
        {
            using var response = await http.SendAsync(request);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            // The server answered early (413) and closed while the body was still going: not a 5xx.
            return -1;
        }
    }

    private static Task<int> HeaderVariant(HttpClient http, int i, byte[] body) => (i % 5) switch
    {
        0 => Post(http, body, null, KeyId),
        1 => Post(http, body, Sign(body), null),
        2 => Post(http, body, Sign(body), KeyId, r => r.Headers.TryAddWithoutValidation("X-GCS-Signature", Sign(body))),
        3 => Post(http, body, Sign(body), KeyId, r => r.Headers.TryAddWithoutValidation("X-GCS-KeyId", "other")),
        _ => Post(http, body, "", ""),
    };

    /// <summary>Requests HttpClient would not send: conflicting framing, bad chunks, folded and control-character headers, oversize headers.</summary>
    private static byte[] Smuggling(int i, int port)
    {
        var body = Encoding.UTF8.GetString(Event($"evt-sm-{i}"));
        var host = $"Host: 127.0.0.1:{port}\r\n";
        var signed = $"X-GCS-KeyId: {KeyId}\r\nX-GCS-Signature: {Convert.ToBase64String(Encoding.UTF8.GetBytes("forged" + i))}\r\n";
        var text = (i % 10) switch
        {
            0 => $"POST {Path} HTTP/1.1\r\n{host}{signed}Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nPOST {Path} HTTP/1.1\r\n{host}\r\n",
            1 => $"POST {Path} HTTP/1.1\r\n{host}{signed}Transfer-Encoding: chunked\r\n\r\nzz\r\n{body}\r\n0\r\n\r\n",
            2 => $"POST {Path} HTTP/1.1\r\n{host}{signed}Content-Length: {body.Length}\r\nContent-Length: 5\r\n\r\n{body}",
            3 => $"POST {Path} HTTP/1.1\r\n{host}X-GCS-KeyId: {KeyId}\r\n folded-continuation\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            4 => $"POST {Path} HTTP/1.1\r\n{host}X-GCS-KeyId: {KeyId}\u0000evil\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            5 => $"POST {Path} HTTP/1.1\n{host.Replace("\r", "", StringComparison.Ordinal)}X-GCS-KeyId: {KeyId}\nContent-Length: {body.Length}\n\n{body}",
            6 => $"POST {Path} HTTP/1.1\r\n{host}{signed}X-Big: {new string('a', 40_000)}\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            7 => $"POST {Path}?x=1%0d%0aX-GCS-KeyId:%20{KeyId} HTTP/1.1\r\n{host}Content-Length: {body.Length}\r\n\r\n{body}",
            8 => $"POST  {Path} HTTP/1.1\r\n{host}{signed}Content-Length: -1\r\n\r\n{body}",
            _ => $"POST {Path} HTTP/1.1\r\n{host}{signed}Transfer-Encoding: gzip, chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n",
        };
        return Encoding.UTF8.GetBytes(text);
    }
}
