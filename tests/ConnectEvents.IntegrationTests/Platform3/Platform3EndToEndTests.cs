using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Connect.Simulator;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Processing;
using ConnectEvents.IntegrationTests.Webhooks;
using ConnectEvents.Platform3;

namespace ConnectEvents.IntegrationTests.Platform3;

/// <summary>
/// The v3 platform end to end: minted URL → Platform3Notification in the dev host on Kestrel → Azurite queue → the WebJobs
/// listener runs ProcessPlatform3Notification → the simulator's v3 Inquiry API → a record in the processed-event table.
/// </summary>
public sealed class Platform3EndToEndTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Merchant = "m-4711";

    [Fact]
    public async Task ANotificationDeliveredTenTimesAtOnceLeadsToOneInquiryAndOneOutcomeWithItsCategory()
    {
        await using var run = await V3Run.StartAsync(azurite);
        var reference = "order-" + Guid.NewGuid().ToString("N")[..8];
        await run.SeedAsync(reference, "800.100.153", httpStatus: 400);

        var url = V3Run.Url(reference);
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => run.PostAsync(url, Hint("800.100.153"))));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));

        var key = NotificationPipeline.ClaimKey(Merchant, reference);
        var record = await run.Pipeline.WaitForStateAsync(key, ProcessingState.Completed, TimeSpan.FromSeconds(60));
        await run.WaitForQueueDrainedAsync();
        Assert.Equal("declined-by-bank 800.100.153", record.Outcome);
        var detail = JsonNode.Parse(record.DetailJson!)!;
        Assert.Equal("800.100.153", detail["statusAfter"]!.GetValue<string>());
        Assert.Equal("800.100.153 declined-by-bank", detail["actions"]![0]!["status"]!.GetValue<string>());
        Assert.Single(await run.InquiriesAsync(reference));
    }

    [Fact]
    public async Task ANotificationWithABadOrMissingTokenIsRefusedWithNoOutboundCall()
    {
        await using var run = await V3Run.StartAsync(azurite);
        var reference = "order-" + Guid.NewGuid().ToString("N")[..8];
        await run.SeedAsync(reference, "000.000.000");
        var good = V3Run.Url(reference);
        var otherPayment = V3Run.Url(reference + "x");
        var sig = Query(good, NotificationUrls.SignatureParameter);

        string[] refused =
        [
            NotificationUrlsRoute,
            good.Replace("ref=" + reference, "ref=" + reference + "x", StringComparison.Ordinal),
            good.Replace("merchant=" + Merchant, "merchant=m-4712", StringComparison.Ordinal),
            good.Replace("kid=" + WebhookApp.KeyId, "kid=unknown-key", StringComparison.Ordinal),
            good.Replace(sig, Query(otherPayment, NotificationUrls.SignatureParameter), StringComparison.Ordinal),
            good.Replace(sig, sig[..^1] + (sig[^1] == 'A' ? 'B' : 'A'), StringComparison.Ordinal),
            good.Replace("&sig=" + sig, "", StringComparison.Ordinal),
            good + "&sig=" + sig,
            V3Run.Url(reference, expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1)),
            V3Run.Url(reference, expiresAt: DateTimeOffset.UtcNow.AddDays(30)),
        ];
        foreach (var url in refused)
        {
            var (status, body) = await run.PostWithBodyAsync(url, Hint("000.000.000"));
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal("The notification URL is not valid.", body);
        }

        Assert.Empty(await run.InquiriesAsync(null));
        Assert.Equal(0, await run.QueueLengthAsync());
    }

    [Theory]
    [InlineData(404, "inquiry-404 not-found")]
    [InlineData(401, "inquiry-401 unauthorized")]
    [InlineData(403, "inquiry-403 forbidden")]
    public async Task AnInquiryAnsweredNotFoundOrUnauthorizedBecomesAFailedRecordAfterOneInquiry(int status, string reason)
    {
        await using var run = await V3Run.StartAsync(azurite, status == 403 ? new() { ["Platform3:AccessToken"] = "a-wrong-token" } : null);
        var reference = "order-" + Guid.NewGuid().ToString("N")[..8];
        if (status == 401)
        {
            await run.SeedAsync(reference, "000.000.000");
            await run.ScriptAsync(reference, 401, times: 1);
        }
        else if (status == 403)
        {
            await run.SeedAsync(reference, "000.000.000");
        }

        Assert.Equal(HttpStatusCode.OK, await run.PostAsync(V3Run.Url(reference), Hint(null)));

        var record = await run.Pipeline.WaitForStateAsync(NotificationPipeline.ClaimKey(Merchant, reference), ProcessingState.Failed, TimeSpan.FromSeconds(30));
        await run.WaitForQueueDrainedAsync();
        Assert.Equal(reason, record.Outcome);
        var inquiry = JsonNode.Parse(record.DetailJson!)!["actions"]![0]!;
        Assert.Equal(("inquiry", reason["inquiry-".Length..]), (inquiry["name"]!.GetValue<string>(), inquiry["status"]!.GetValue<string>()));
        Assert.Single(await run.InquiriesAsync(reference));
    }

    [Fact]
    public async Task AnInquiryAnswered503IsRetriedByRedeliveryUntilItAnswers()
    {
        await using var run = await V3Run.StartAsync(azurite);
        var reference = "order-" + Guid.NewGuid().ToString("N")[..8];
        await run.SeedAsync(reference, "000.000.000");
        await run.ScriptAsync(reference, 503, times: 2);

        Assert.Equal(HttpStatusCode.OK, await run.PostAsync(V3Run.Url(reference), Hint("000.000.000")));

        var record = await run.Pipeline.WaitForStateAsync(NotificationPipeline.ClaimKey(Merchant, reference), ProcessingState.Completed, TimeSpan.FromSeconds(30));
        Assert.Equal("success 000.000.000", record.Outcome);
        Assert.Equal(3, record.Attempts);
        Assert.Equal("503,503,200", string.Join(',', (await run.InquiriesAsync(reference)).Select(r => r["responseStatus"]!.GetValue<int>())));
    }

    [Fact]
    public async Task AnInquiryThatNeverAnswersEndsDeadLetteredInThePoisonQueue()
    {
        await using var run = await V3Run.StartAsync(azurite, new() { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2" });
        var reference = "order-" + Guid.NewGuid().ToString("N")[..8];
        await run.ScriptAsync(reference, 500, times: 100);

        Assert.Equal(HttpStatusCode.OK, await run.PostAsync(V3Run.Url(reference), Hint(null)));

        var record = await run.Pipeline.WaitForStateAsync(NotificationPipeline.ClaimKey(Merchant, reference), ProcessingState.DeadLettered, TimeSpan.FromSeconds(30));
        Assert.Contains("server-error", record.Outcome, StringComparison.Ordinal);
        Assert.Equal(2, (await run.InquiriesAsync(reference)).Count);
        Assert.Equal(1, await run.QueueLengthAsync("-poison", within: TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AForgedSuccessBeforeTheGenuinePendingAndSuccessLetsTheGenuineSuccessBeVerifiedAndPublishedOnce()
    {
        var topic = new UnitTests.Messaging.RecordingServiceBusSender();
        await using var run = await V3Run.StartAsync(azurite, Rounds(), topic);
        var reference = "order-" + Guid.NewGuid().ToString("N")[..8];
        var key = NotificationPipeline.ClaimKey(Merchant, reference);
        var url = V3Run.Url(reference);
        await run.SeedAsync(reference, "000.200.000");

        // Whoever saw the URL posts a "success" while the payment is still pending: the inquiry says pending.
        Assert.Equal(HttpStatusCode.OK, await run.PostAsync(url, Hint("000.000.000")));
        await run.WaitForOutcomeAsync(key, "pending 000.200.000", inquiries: 1);

        // The platform's own pending notification: looked at again, unchanged, nothing published.
        Assert.Equal(HttpStatusCode.OK, await run.PostAsync(url, Hint("000.200.000")));
        await run.WaitForOutcomeAsync(key, "pending 000.200.000", inquiries: 2);

        // The payment succeeds and the platform says so: verified and published, once, even when it says it twice.
        await run.SeedAsync(reference, "000.000.000");
        Assert.Equal(HttpStatusCode.OK, await run.PostAsync(url, Hint("000.000.000")));
        await run.WaitForOutcomeAsync(key, "success 000.000.000", inquiries: 3);
        Assert.Equal(HttpStatusCode.OK, await run.PostAsync(url, Hint("000.000.000")));
        await run.WaitForOutcomeAsync(key, "success 000.000.000", inquiries: 4);
        await run.WaitForQueueDrainedAsync();

        var published = topic.Sent.Select(m => (string)m.ApplicationProperties[VerifiedEventPublisher.ResultCodeProperty]).ToList();
        Assert.Equal(["000.200.000", "000.000.000"], published);
        Assert.EndsWith(":000.000.000:from:000.200.000", (string)topic.Sent.Last().ApplicationProperties["eventId"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiftyDistinctForgedCodesCostAtMostTwoInquiriesAndOneRecord()
    {
        // The default delay (2 s) and round spacing (5 s): a burst within one spacing costs at most two inquiries.
        await using var run = await V3Run.StartAsync(azurite);
        var reference = "order-" + Guid.NewGuid().ToString("N")[..8];
        await run.SeedAsync(reference, "000.000.000");
        var url = V3Run.Url(reference);

        var answers = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => run.PostAsync(url, Hint($"100.000.{i:000}"))));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));

        await run.Pipeline.WaitForStateAsync(NotificationPipeline.ClaimKey(Merchant, reference), ProcessingState.Completed, TimeSpan.FromSeconds(60));
        await run.WaitForQueueDrainedAsync();
        Assert.InRange((await run.InquiriesAsync(reference)).Count, 1, 2);
        var rows = new TableClient(azurite.ConnectionString, run.Pipeline.EventsTable).QueryAsync<TableEntity>(RecordIndex.RecordsOnly); // not the index rows
        var keys = new List<string>();
        await foreach (var row in rows)
        {
            keys.Add(row.GetString("EventId"));
        }

        Assert.Equal([NotificationPipeline.ClaimKey(Merchant, reference)], keys);
    }

    [Fact]
    public async Task AMintedTokenIsNoWebhookSignatureForTheBytesItCovers()
    {
        await using var run = await V3Run.StartAsync(azurite);
        var url = V3Run.Url("order-x");
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + url).Query);
        var signature = Convert.ToBase64String(System.Buffers.Text.Base64Url.DecodeFromChars(query[NotificationUrls.SignatureParameter]));
        string[] bodies =
        [
            $"{Merchant}\norder-x\n{query[NotificationUrls.ExpiresParameter]}",
            $"connect-events/platform3/notification-url/v1\n{Merchant}\norder-x",
        ];

        foreach (var body in bodies)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ConnectEvents.Functions.Webhooks.ConnectWebhook.Route) { Content = new StringContent(body) };
            request.Headers.TryAddWithoutValidation("X-GCS-Signature", signature);
            request.Headers.TryAddWithoutValidation("X-GCS-KeyId", WebhookApp.KeyId);
            using var response = await run.Pipeline.App.CreateAnonymousClient().SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Empty(await run.Pipeline.App.PeekAllAsync());
    }

    /// <summary>Short round spacing and delay, so a test sees several rounds of one payment; 000.200 is a pending code here.</summary>
    private static Dictionary<string, string?> Rounds() => new()
    {
        ["Platform3:InquiryInterval"] = "00:00:00.300",
        ["Platform3:NotificationDelay"] = "00:00:00",
        ["Platform3:ResultCodes:0:Pattern"] = "000.200",
        ["Platform3:ResultCodes:0:Category"] = "Pending",
    };

    private const string NotificationUrlsRoute = ConnectEvents.Functions.Notifications.Platform3Notification.Route;

    private static string Query(string url, string name) =>
        System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + url).Query)[name]!;

    [Fact]
    public async Task TheOperationsCliSendsANotificationTheAppVerifiesOnceByInquiry()
    {
        await using var run = await V3Run.StartAsync(azurite);
        var reference = "order-" + Guid.NewGuid().ToString("N")[..8];
        await run.SeedAsync(reference, "000.000.000");
        var cli = new ConnectEvents.IntegrationTests.Operations.CliRunner(new Dictionary<string, string?>());
        var endpoint = new Uri(run.Pipeline.App.CreateAnonymousClient().BaseAddress!, NotificationUrlsRoute).ToString();
        string[] common = ["--url", endpoint, "--key-id", WebhookApp.KeyId, "--secret", WebhookApp.Secret, "--merchant-id", Merchant, "--reference", reference];

        var dryRun = await cli.RunAsync(["send-v3", .. common, "--dry-run"]);
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("&sig=", dryRun.Out, StringComparison.Ordinal);
        Assert.Equal(0, await run.QueueLengthAsync());

        var sent = await cli.RunAsync(["send-v3", .. common, "--code", "000.000.000", "--count", "3"]);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Equal(3, sent.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("200 ", StringComparison.Ordinal)));
        var record = await run.Pipeline.WaitForStateAsync(NotificationPipeline.ClaimKey(Merchant, reference), ProcessingState.Completed, TimeSpan.FromSeconds(60));
        await run.WaitForQueueDrainedAsync();
        Assert.Equal("success 000.000.000", record.Outcome);
        Assert.Single(await run.InquiriesAsync(reference));

        var wrongKey = await cli.RunAsync(["send-v3", "--url", endpoint, "--key-id", WebhookApp.KeyId, "--secret", "not-the-secret", "--merchant-id", Merchant, "--reference", reference]);
        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Contains("401", wrongKey.Out, StringComparison.Ordinal);
        Assert.Equal(2, (await cli.RunAsync(["send-v3", .. common, "--code", "12.34"])).ExitCode);
    }

    /// <summary>A notification body as the platform sends it (its Inquiry message); <paramref name="code"/> null for none.</summary>
    private static byte[] Hint(string? code) => Encoding.UTF8.GetBytes(code is null
        ? """{"id":"x"}"""
        : $$$"""{"id":"x","result":{"code":"{{{code}}}","description":"from the notification"}}""");

    /// <summary>A pipeline with the v3 platform on, its own notification queue, and the simulator's v3 API.</summary>
    private sealed class V3Run : IAsyncDisposable
    {
        private readonly HttpClient _admin;
        private readonly HttpClient _app;
        private readonly QueueClient _queue;
        private readonly string _storage;
        private readonly SimulatorHost _v3;

        private V3Run(SimulatorHost v3, Pipeline pipeline, string storage, string queueName)
        {
            _v3 = v3;
            Pipeline = pipeline;
            _storage = storage;
            _queue = new QueueClient(storage, queueName);
            _admin = new HttpClient { BaseAddress = v3.BaseAddress };
            _app = pipeline.App.CreateAnonymousClient();
        }

        public Pipeline Pipeline { get; }

        /// <summary>Starts a simulator for the v3 API (the pipeline's own serves Connect) and the pipeline with the platform on.</summary>
        public static async Task<V3Run> StartAsync(AzuriteFixture azurite, Dictionary<string, string?>? extra = null, UnitTests.Messaging.RecordingServiceBusSender? topic = null)
        {
            var v3 = await SimulatorHost.StartAsync();
            var queue = AzuriteFixture.UniqueName("v3");
            var settings = new Dictionary<string, string?>
            {
                ["AzureWebJobs.ProcessConnectEvent.Disabled"] = "true",
                ["Platform3:Endpoint"] = v3.BaseAddress.ToString(),
                ["Platform3:QueueName"] = queue,
                ["Platform3:AccessToken"] = Platform3Api.DefaultAccessToken,
                ["Platform3:NotificationKeyId"] = WebhookApp.KeyId,
                ["Platform3:MaxRetries"] = "0",
            };
            foreach (var (k, v) in extra ?? [])
            {
                settings[k] = v;
            }

            if (topic is not null)
            {
                settings["ServiceBusConnection:fullyQualifiedNamespace"] = "sb-e2e.servicebus.windows.net";
            }

            var services = topic is null ? null : (Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>)(s =>
                Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Azure.Messaging.ServiceBus.ServiceBusSender>(s, topic));
            return new V3Run(v3, await Pipeline.StartAsync(azurite, settings, services), azurite.ConnectionString, queue);
        }

        public static string Url(string reference, DateTimeOffset? expiresAt = null)
        {
            var url = NotificationUrls.Build(new Uri("http://app" + NotificationUrlsRoute), Merchant, reference, WebhookApp.KeyId, Encoding.UTF8.GetBytes(WebhookApp.Secret),
                expiresAt ?? DateTimeOffset.UtcNow.AddDays(1));
            return url.PathAndQuery;
        }

        public async Task<HttpStatusCode> PostAsync(string url, byte[] body) => (await PostWithBodyAsync(url, body)).Status;

        public async Task<(HttpStatusCode Status, string Body)> PostWithBodyAsync(string url, byte[] body)
        {
            using var content = new ByteArrayContent(body);
            using var response = await _app.PostAsync(new Uri(url, UriKind.Relative), content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        public async Task SeedAsync(string reference, string code, int httpStatus = 200) =>
            (await _admin.PostAsJsonAsync("admin/v3/payments", new { merchantId = Merchant, reference, resultCode = code, httpStatus })).EnsureSuccessStatusCode();

        public async Task ScriptAsync(string reference, int status, int times) =>
            (await _admin.PostAsJsonAsync("admin/v3/faults", new { reference, status, times })).EnsureSuccessStatusCode();

        public async Task<List<JsonNode>> InquiriesAsync(string? reference)
        {
            var log = JsonNode.Parse(await _admin.GetStringAsync(new Uri("admin/v3/requests", UriKind.Relative)))!.AsArray();
            return [.. log.Where(r => reference is null || r!["reference"]!.GetValue<string>() == reference).Select(r => r!)];
        }

        public async Task<int> QueueLengthAsync(string suffix = "", TimeSpan? within = null)
        {
            var queue = new QueueClient(_storage, _queue.Name + suffix);
            var deadline = DateTime.UtcNow + (within ?? TimeSpan.Zero);
            while (true)
            {
                var count = await queue.ExistsAsync() ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
                if (count > 0 || DateTime.UtcNow >= deadline)
                {
                    return count;
                }

                await Task.Delay(50);
            }
        }

        /// <summary>Waits until <paramref name="inquiries"/> inquiries were made and the record's last round ended with <paramref name="outcome"/>.</summary>
        public async Task WaitForOutcomeAsync(string key, string outcome, int inquiries)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                var record = await Pipeline.Store().GetAsync(key, CancellationToken.None);
                var made = (await InquiriesAsync(null)).Count;
                if (record is { State: ProcessingState.Completed } && record.Outcome == outcome && made == inquiries)
                {
                    return;
                }

                Assert.True(DateTime.UtcNow < deadline, $"expected {outcome} after {inquiries} inquiries; {made} made, record {record}");
                await Task.Delay(50);
            }
        }

        public async Task WaitForQueueDrainedAsync()
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await QueueLengthAsync() > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"queue {_queue.Name} was not drained");
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _admin.Dispose();
            await Pipeline.DisposeAsync();
            await _v3.DisposeAsync();
        }
    }
}
