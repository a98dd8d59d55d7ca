using System.Collections.Concurrent;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using ConnectEvents.Benchmarks.Infrastructure;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Storage;

namespace ConnectEvents.Benchmarks.Processing;

/// <summary>
/// What each storage operation the pipeline makes costs Azurite, in its own CPU time per operation and ops/s at the same
/// concurrency: Table insert, conditional update (ETag), queue send, receive (batches of 32) and delete. The processing
/// pipeline's ceiling on one Azurite is the sum of its per-event operations. Azurite's queue operations scan the queue, so
/// their cost grows with the number of messages in it: compare runs with different counts. Usage: <c>load storageops [count=2000] [concurrency=16]</c>.
/// </summary>
public sealed class StorageOpsLoadRun : ILoadRun
{
    /// <inheritdoc />
    public string Name => "storageops";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var count = LoadArgs.Count(args, 0, 2_000);
        var concurrency = LoadArgs.Count(args, 1, 16);
        Console.WriteLine($"storage ops on Azurite: {count} of each, {concurrency} concurrent, 127.0.0.1");
        await using var azurite = await AzuriteInstance.StartAsync();
        var storage = StorageClients.FromConnectionString(azurite.ConnectionString);

        for (var round = 1; round <= 2; round++)
        {
            var tag = $"r{round}{Guid.NewGuid().ToString("N")[..6]}";
            var table = storage.Table("ops" + tag);
            await table.CreateIfNotExistsAsync();
            var queue = storage.Queue("ops-" + tag);
            await queue.CreateIfNotExistsAsync();
            var etags = new Azure.ETag[count];
            var ids = Enumerable.Range(0, count).Select(i => $"{tag}-{i:D6}").ToArray();

            await Measure(azurite, round, "table insert", count, concurrency, async i =>
            {
                var response = await table.AddEntityAsync(TableInsertLoadRun.ClaimRow(ids[i]));
                etags[i] = response.Headers.ETag ?? Azure.ETag.All;
            });
            await Measure(azurite, round, "table replace (ETag, completed row)", count, concurrency, i =>
                table.UpdateEntityAsync(TableInsertLoadRun.CompletedRow(TableInsertLoadRun.ClaimRow(ids[i])), etags[i], TableUpdateMode.Replace));
            var merged = storage.Table("opsm" + tag);
            await merged.CreateIfNotExistsAsync();
            await LoadStats.RunAsync($"round {round}: rows for the merge (not measured)", count, concurrency, async i =>
            {
                var response = await merged.AddEntityAsync(TableInsertLoadRun.ClaimRow(ids[i]));
                etags[i] = response.Headers.ETag ?? Azure.ETag.All;
            }, print: false);
            await Measure(azurite, round, "table merge (ETag, changed fields)", count, concurrency, i =>
            {
                var entity = new TableEntity(TableKeys.EventPartition(ids[i]), ids[i])
                {
                    ["State"] = "Completed",
                    ["Outcome"] = "captured",
                    ["DetailJson"] = TableInsertLoadRun.Detail,
                    ["CompletedAt"] = DateTimeOffset.UtcNow,
                };
                return merged.UpdateEntityAsync(entity, etags[i], TableUpdateMode.Merge);
            });
            await Measure(azurite, round, "queue send", count, concurrency, i => queue.SendMessageAsync(BinaryData.FromString(ids[i])));
            var received = new ConcurrentQueue<QueueMessage>();
            var batches = (count + 31) / 32;
            await Measure(azurite, round, $"queue receive (32 per call, {batches} calls)", batches, Math.Min(concurrency, batches), async _ =>
            {
                foreach (var message in (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value)
                {
                    received.Enqueue(message);
                }
            });
            var messages = received.ToArray();
            await Measure(azurite, round, "queue delete", messages.Length, concurrency, i => queue.DeleteMessageAsync(messages[i].MessageId, messages[i].PopReceipt));
        }
    }

    private static async Task Measure(AzuriteInstance azurite, int round, string label, int count, int concurrency, Func<int, Task> operation)
    {
        var window = CpuWindow.Start(azurite);
        var result = await LoadStats.RunAsync($"round {round}: {label}", count, concurrency, operation);
        var (client, used) = window.Stop();
        var calls = Math.Max(1, result.Requests);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"",-41}cpu per call: Azurite {used.TotalMicroseconds / calls:F0} us, Azure SDK caller {client.TotalMicroseconds / calls:F0} us"));
    }
}
