using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Platform3;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Operations;

/// <summary>
/// <c>connect-events replay --poison</c> over poison queues of thousands of messages on its own Azurite (the other CLI tests'
/// traffic stays off it): the run ends, handles each message once, prints its passes, and covers the v3 platform's queue.
/// </summary>
public sealed partial class CliPoisonReplayTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const int Selected = 2_000;
    private const int Older = 100;

    [Fact]
    public async Task ALargePoisonQueueIsReplayedInBoundedPassesEachMessageOnceEvenWhenEveryEventIsPoisonedAgain()
    {
        var queueName = AzuriteFixture.UniqueName("pq");
        var queue = Client(queueName);
        var poison = Client(queueName + "-poison");
        await queue.CreateAsync();
        await poison.CreateAsync();
        await SeedAsync(poison, Enumerable.Range(0, Older).Select(i => SampleEvents.Build("payment.pending_capture", "1234", $"pay-old-{i}", $"evt-old-{i}")));
        // Queue times have whole seconds: the selected messages go in from the next second on, so --since separates them.
        var since = NextWholeSecond(DateTimeOffset.UtcNow);
        await Task.Delay(since - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(100));
        await SeedAsync(poison, Enumerable.Range(0, Selected).Select(i => SampleEvents.Build("payment.pending_capture", "1234", $"pay-{i}", $"evt-{i}")));

        // Stands in for the host while Connect still fails: every fourth replayed event is poisoned again at once, as a new
        // message (a run that took those again would replay more than it found, or never end).
        using var stop = new CancellationTokenSource();
        var repoisoned = RepoisonAsync(queue, poison, stop.Token);
        var cli = new CliRunner(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Events__QueueName"] = queueName,
            ["Platform3__QueueName"] = AzuriteFixture.UniqueName("v3q"),
        });

        // A visibility below the run's length: the messages it leaves come back while it is still going.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var run = await cli.RunAsync("replay", "--poison", "--since", since.ToString("O", CultureInfo.InvariantCulture), "--visibility", "8s")
            .WaitAsync(TimeSpan.FromMinutes(8)); // a bound, not a goal: ~17 s alone, several times that beside other builds
        output.WriteLine($"replay --poison over {Older + Selected} messages ({Selected} selected): {started.Elapsed.TotalSeconds:F1} s\n{run.Error}");
        await stop.CancelAsync();
        var moved = await repoisoned;

        Assert.True(run.ExitCode == 0, run.ToString());
        var replayed = MovedBack().Matches(run.Out).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(Selected, replayed.Count);
        Assert.Equal(Selected, replayed.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(replayed, id => id.StartsWith("evt-old-", StringComparison.Ordinal));
        Assert.Equal(Selected / 4, moved);
        Assert.Contains($"replayed {Selected}, nothing to do for 0, not replayed 0", run.Error, StringComparison.Ordinal);
        Assert.True(Passes().Count(run.Error) >= Selected / 500, run.Error);
        Assert.Equal(Older + (Selected / 4), (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.NotEmpty((await poison.PeekMessagesAsync(32)).Value); // what the run left is visible again, not hidden for 8 s more
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task TheV3PlatformsPoisonQueueIsListedAndReplayedToItsOwnQueue()
    {
        var v3Queue = AzuriteFixture.UniqueName("v3q");
        var v3 = Client(v3Queue);
        var v3Poison = Client(v3Queue + "-poison");
        await v3Poison.CreateAsync();
        var notification = new NotificationMessage("1234", "order-77", "key-1", DateTimeOffset.UtcNow) { Body = "{\"result\":\"x\"}"u8.ToArray() }.Encode();
        await v3Poison.SendMessageAsync(new BinaryData(notification));
        var cli = new CliRunner(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Events__QueueName"] = AzuriteFixture.UniqueName("pq"),
            ["Platform3__QueueName"] = v3Queue,
            ["Processing__Store__TableName"] = AzuriteFixture.UniqueName("pe"),
        });

        var list = await cli.RunAsync("list", "--poison");
        var replay = await cli.RunAsync("replay", "--poison");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(NotificationPipeline.ClaimKey("1234", "order-77"), list.Out, StringComparison.Ordinal);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Contains($"moved back to {v3Queue}", replay.Out, StringComparison.Ordinal);
        var back = Assert.Single((await v3.ReceiveMessagesAsync(32)).Value);
        Assert.Equal(notification, back.Body.ToArray());
        Assert.Empty((await v3Poison.PeekMessagesAsync(32)).Value);
    }

    [GeneratedRegex(@"^(\S+): poison message \S+ moved back to", RegexOptions.Multiline)]
    private static partial Regex MovedBack();

    [GeneratedRegex(@": pass \d+: ", RegexOptions.Multiline)]
    private static partial Regex Passes();

    private QueueClient Client(string name) => new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    private static DateTimeOffset NextWholeSecond(DateTimeOffset t) => new DateTimeOffset(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset).AddSeconds(1);

    private static async Task SeedAsync(QueueClient queue, IEnumerable<byte[]> bodies) =>
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (body, ct) => await queue.SendMessageAsync(new BinaryData(body), cancellationToken: ct));

    /// <summary>Moves every fourth message of <paramref name="queue"/> to <paramref name="poison"/> as a new message and deletes the rest, until stopped (and the queue is empty); returns how many it moved.</summary>
    private static async Task<int> RepoisonAsync(QueueClient queue, QueueClient poison, CancellationToken stop)
    {
        int moved = 0, seen = 0;
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), CancellationToken.None)).Value;
            if (batch.Length == 0)
            {
                if (stop.IsCancellationRequested)
                {
                    return moved;
                }

                await Task.Delay(20, CancellationToken.None);
                continue;
            }

            foreach (var m in batch)
            {
                if (++seen % 4 == 0)
                {
                    await poison.SendMessageAsync(m.Body, cancellationToken: CancellationToken.None);
                    moved++;
                }

                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, CancellationToken.None);
            }
        }
    }
}
