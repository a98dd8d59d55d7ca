using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Benchmarks.Infrastructure;
using ConnectEvents.ConnectApi;
using ConnectEvents.DevHost;
using ConnectEvents.Idempotence;

namespace ConnectEvents.Benchmarks.Processing;

/// <summary>
/// The floor of event processing, for <c>load floor</c>: a process of its own doing per queue message exactly the calls the
/// app makes for a payment.pending_capture event, with plain SDK clients and no framework: one Table insert (the claim),
/// GET payment and capture at Connect (v1HMAC-signed with the shared signer), one Table replace with the claim's ETag (the
/// outcome), then the queue delete. Messages are taken the way the WebJobs queue listener takes them: a receive of
/// <c>batchSize</c>, the next receive once no more than <c>newBatchThreshold</c> are in flight, an idle poll backing off to
/// <c>maxPollingInterval</c>. Not listed among the load runs: <c>load floor</c> and a smoke test start it as
/// <c>dotnet ConnectEvents.Benchmarks.dll load bare-loop-worker</c>, settings in <c>BareLoop__*</c> environment variables
/// (the secret never goes on a command line). It prints <c>ready</c> once its clients are set up; on stdin, <c>report</c>
/// prints one <see cref="ReportPrefix"/> line, <c>stop</c> (or end of input) finishes what is in flight and exits 0. With
/// <c>BareLoop__Until</c> it stops by itself after that many events and prints the report line.
/// </summary>
internal static class BareLoopWorker
{
    /// <summary>The mode name after <c>load</c>.</summary>
    public const string Name = "bare-loop-worker";

    /// <summary>How a report line starts: <c>report processed=N failed=N runtime={json of RuntimeReport.Snapshot}</c>.</summary>
    public const string ReportPrefix = "report ";

    /// <summary>The environment variable prefix of the worker's settings.</summary>
    public const string SettingPrefix = "BareLoop__";

    private static readonly TimeSpan ReceiveVisibility = TimeSpan.FromMinutes(10);

    /// <summary>Runs the loop until told to stop; returns the exit code.</summary>
    public static async Task<int> RunAsync()
    {
        var settings = Settings.FromEnvironment();
        var queue = new QueueClient(settings.Storage, settings.Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var table = new TableClient(settings.Storage, settings.Table);
        await queue.CreateIfNotExistsAsync();
        await table.CreateIfNotExistsAsync();
        using var connect = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = settings.Connect };
        var worker = new Loop(queue, table, new SignedConnect(connect, settings.ApiKeyId, Encoding.UTF8.GetBytes(settings.Secret)), settings);

        using var stop = new CancellationTokenSource();
        Console.WriteLine("ready");
        var commands = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync() is { } line)
            {
                switch (line.Trim())
                {
                    case "report":
                        Console.WriteLine(worker.Report());
                        break;
                    case "stop":
                        await stop.CancelAsync();
                        return;
                }
            }

            await stop.CancelAsync();
        });
        await worker.RunAsync(stop.Token);
        if (settings.Until > 0)
        {
            Console.WriteLine(worker.Report());
        }

        _ = commands; // left reading stdin; the process exits here
        return 0;
    }

    /// <summary>The worker's settings, read from <c>BareLoop__*</c> environment variables.</summary>
    private sealed record Settings(string Storage, string Queue, string Table, Uri Connect, string ApiKeyId, string Secret,
        int BatchSize, int NewBatchThreshold, TimeSpan MaxPollingInterval, int Until)
    {
        public static Settings FromEnvironment()
        {
            static string Get(string name) => Environment.GetEnvironmentVariable(SettingPrefix + name) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"{SettingPrefix}{name} is not set");
            static int Number(string name, int fallback) => Environment.GetEnvironmentVariable(SettingPrefix + name) is { Length: > 0 } value
                ? int.Parse(value, CultureInfo.InvariantCulture)
                : fallback;

            return new Settings(Get("Storage"), Get("Queue"), Get("Table"), new Uri(Get("ConnectEndpoint")), Get("ApiKeyId"), Get("SecretApiKey"),
                Number("BatchSize", 16), Number("NewBatchThreshold", 8), TimeSpan.FromMilliseconds(Number("MaxPollingMs", 100)), Number("Until", 0));
        }
    }

    /// <summary>The receive loop and the per-event calls.</summary>
    private sealed class Loop(QueueClient queue, TableClient table, SignedConnect connect, Settings settings)
    {
        private int _processed;
        private int _failed;

        /// <summary>Takes batches until <paramref name="stop"/> (or the <c>Until</c> count), then waits for what is in flight.</summary>
        public async Task RunAsync(CancellationToken stop)
        {
            var inFlight = new List<Task>(settings.BatchSize * 2);
            var idle = TimeSpan.Zero;
            var received = 0;
            while (!stop.IsCancellationRequested && (settings.Until <= 0 || received < settings.Until))
            {
                while (inFlight.Count > settings.NewBatchThreshold)
                {
                    inFlight.Remove(await Task.WhenAny(inFlight));
                }

                QueueMessage[] batch;
                try
                {
                    batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, ReceiveVisibility, CancellationToken.None)).Value;
                }
                catch (Azure.RequestFailedException ex)
                {
                    await Console.Error.WriteLineAsync($"receive failed: {ex.Status} {ex.ErrorCode}");
                    batch = [];
                }

                if (batch.Length == 0)
                {
                    // Backs off as the listener does when the queue is empty: doubling up to maxPollingInterval.
                    idle = idle == TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
                    try
                    {
                        await Task.Delay(idle, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        // Stopping: the loop condition ends it.
                    }

                    continue;
                }

                idle = TimeSpan.Zero;
                received += batch.Length;
                foreach (var message in batch)
                {
                    inFlight.Add(ProcessAsync(message));
                }
            }

            await Task.WhenAll(inFlight);
        }

        /// <summary>The one report line.</summary>
        public string Report() => string.Create(CultureInfo.InvariantCulture,
            $"{ReportPrefix}processed={Volatile.Read(ref _processed)} failed={Volatile.Read(ref _failed)} runtime={RuntimeReport.Snapshot()}");

        private async Task ProcessAsync(QueueMessage message)
        {
            try
            {
                string eventId, merchant, paymentId, type;
                using (var json = JsonDocument.Parse(message.Body.ToMemory()))
                {
                    var root = json.RootElement;
                    eventId = root.GetProperty("id").GetString()!;
                    merchant = root.GetProperty("merchantId").GetString()!;
                    type = root.GetProperty("type").GetString()!;
                    paymentId = root.GetProperty("payment").GetProperty("id").GetString()!;
                }

                var row = TableInsertLoadRun.ClaimRow(eventId);
                row["EventType"] = type;
                row["MerchantId"] = merchant;
                row["PaymentId"] = paymentId;
                Azure.ETag etag;
                // The app's claim writes the payment's index row beside the record (for status --payment): so does this.
                var indexRow = table.UpsertEntityAsync(RecordIndex.PaymentRow(paymentId, eventId, DateTimeOffset.UtcNow), TableUpdateMode.Replace);
                try
                {
                    etag = (await table.AddEntityAsync(row)).Headers.ETag ?? Azure.ETag.All;
                    await indexRow;
                }
                catch (Azure.RequestFailedException ex) when (ex.Status == 409)
                {
                    // The SDK retried an insert whose first try had landed (a timeout on a loaded machine): the row is
                    // ours; read its ETag as the app's store reads a conflicting row, instead of losing the event.
                    etag = (await table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey)).Value.ETag;
                    await indexRow;
                }

                var status = await connect.SendAsync(HttpMethod.Get, merchant, $"payments/{Uri.EscapeDataString(paymentId)}", null);
                if (status == "PENDING_CAPTURE")
                {
                    await connect.SendAsync(HttpMethod.Post, merchant, $"payments/{Uri.EscapeDataString(paymentId)}/capture", "capture-" + paymentId);
                }

                await table.UpdateEntityAsync(TableInsertLoadRun.CompletedRow(row), etag, TableUpdateMode.Replace);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                Interlocked.Increment(ref _processed);
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // The message comes back after its visibility timeout; the run that started this worker sees the shortfall.
                Interlocked.Increment(ref _failed);
                await Console.Error.WriteLineAsync($"event failed: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>Connect calls as a plain HttpClient makes them: v1HMAC over Date and the X-GCS headers, the JSON body read for its status.</summary>
    private sealed class SignedConnect(HttpClient http, string apiKeyId, byte[] secret)
    {
        private static readonly byte[] EmptyObject = "{}"u8.ToArray();

        /// <summary>Sends one call (a POST with an empty JSON object and the idempotence key) and returns the status in the answer.</summary>
        public async Task<string?> SendAsync(HttpMethod method, string merchant, string path, string? idempotenceKey)
        {
            var uri = new Uri(http.BaseAddress!, $"v1/{Uri.EscapeDataString(merchant)}/{path}");
            using var request = SignedConnectRequest.Create(method, uri, apiKeyId, secret,
                idempotenceKey is null ? [] : [new(ConnectClient.IdempotenceKeyHeader, idempotenceKey)], method == HttpMethod.Post ? EmptyObject : null);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{method} {uri.AbsolutePath}: {(int)response.StatusCode}", null, response.StatusCode);
            }

            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("status", out var status) ? status.GetString() : null;
        }
    }
}
