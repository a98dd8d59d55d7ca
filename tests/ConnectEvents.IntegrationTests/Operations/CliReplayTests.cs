using System.Text;
using Azure.Storage.Blobs;
using Connect.Simulator;
using ConnectEvents.ConnectApi;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Processing;
using ConnectEvents.IntegrationTests.Webhooks;
using ConnectEvents.Messaging;
using ConnectEvents.Webhooks;

namespace ConnectEvents.IntegrationTests.Operations;

/// <summary>
/// <c>connect-events</c> end to end on Azurite: the dev host's webhook and queue listener process events against the
/// Connect simulator, and the CLI (run in-process through its entry point) inspects and replays what went wrong.
/// </summary>
public sealed class CliReplayTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string M = Pipeline.Merchant;

    [Fact]
    public async Task AFailedEventIsReopenedReplayedOnceAndCapturedOnce()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        var cli = CliRunner.For(p, azurite.ConnectionString);
        p.Simulator.State.SeedPayment(M, "pay-f");
        p.Simulator.State.InjectFault("/payments/pay-f/capture", Fault.Status(400), times: 1);
        var body = SampleEvents.Build("payment.pending_capture", M, "pay-f", "evt-f");

        await ProcessingPipelineTests.PostAsync(p, body);
        var failed = await p.WaitForStateAsync("evt-f", ProcessingState.Failed);
        Assert.Equal(body, failed.Body?.ToArray()); // the processor kept the exact bytes for replay
        await p.WaitForQueueDrainedAsync();
        var errorId = System.Text.Json.JsonDocument.Parse(failed.DetailJson!).RootElement.GetProperty("errorId").GetString();

        var status = await cli.RunAsync("status", "evt-f");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("Failed", status.Out, StringComparison.Ordinal);
        Assert.Contains(errorId!, status.Out, StringComparison.Ordinal);
        Assert.Contains("replayable", status.Out, StringComparison.Ordinal);
        var list = await cli.RunAsync("list", "--failed", "--since", "1h");
        Assert.Contains("evt-f", list.Out, StringComparison.Ordinal);

        var dryRun = await cli.RunAsync("replay", "--failed", "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("would reopen", dryRun.Out, StringComparison.Ordinal);
        Assert.Equal(failed.ETag, (await p.Store().GetAsync("evt-f", CancellationToken.None))!.ETag);
        Assert.Empty(await p.App.PeekAllAsync());

        var completed = await ReplayToCompletionAsync(p, cli, "evt-f");

        Assert.Equal("captured", completed.Outcome);
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-f"));
        Assert.Equal(2, p.Simulator.State.Count("POST", "/payments/pay-f/capture")); // the refused one and the replay's
        await AssertReplayChangesNothingAsync(p, cli, "evt-f", completed);

        var byPayment = await cli.RunAsync("status", "--payment", "pay-f");
        Assert.True(byPayment.ExitCode == 0, byPayment.ToString());
        Assert.Contains("evt-f", byPayment.Out, StringComparison.Ordinal);
        Assert.Contains("capture", byPayment.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACaptureConnectRefusedIsCapturedOnceByAReplayAfterTheCauseIsFixedAndNeverAgain()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        var cli = CliRunner.For(p, azurite.ConnectionString);
        p.Simulator.State.SeedPayment(M, "pay-r");
        // Connect's answer, not a transport fault: kept under the capture's idempotence key, as Connect keeps it.
        p.Simulator.State.RefuseCaptures(M, "pay-r");

        await ProcessingPipelineTests.PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-r", "evt-r"));
        var failed = await p.WaitForStateAsync("evt-r", ProcessingState.Failed);
        await p.WaitForQueueDrainedAsync();
        Assert.Equal(0, failed.ReplayGeneration);

        Assert.True(p.Simulator.State.AllowCaptures(M, "pay-r")); // the operator fixed the cause
        var completed = await ReplayToCompletionAsync(p, cli, "evt-r");

        Assert.Equal("captured", completed.Outcome);
        Assert.Equal(1, completed.ReplayGeneration);
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-r"));
        var keys = p.Simulator.State.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/payments/pay-r/capture", StringComparison.Ordinal)).Select(r => r.IdempotenceKey).ToList();
        Assert.Equal([CallContext.DeriveKey("capture", M, "pay-r"), CallContext.DeriveKey("capture", M, "pay-r", 1)], keys);

        await AssertReplayChangesNothingAsync(p, cli, "evt-r", completed);
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-r"));
        Assert.Equal(2, p.Simulator.State.Count("POST", "/payments/pay-r/capture"));
    }

    [Fact]
    public async Task AReplayOfAnEventThatFailedAfterItsCaptureDoesNotCaptureAgain()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Processing:Tokenize:Enabled"] = "true",
            ["Processing:Tokenize:Statuses:0"] = "PENDING_CAPTURE",
            ["Processing:Tokenize:Statuses:1"] = "CAPTURE_REQUESTED",
        });
        var cli = CliRunner.For(p, azurite.ConnectionString);
        p.Simulator.State.SeedPayment(M, "pay-t", merchantReference: "cust-t");
        p.Simulator.State.InjectFault("/payments/pay-t/tokenize", Fault.Status(400), times: 1);

        await ProcessingPipelineTests.PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-t", "evt-t"));
        await p.WaitForStateAsync("evt-t", ProcessingState.Failed); // captured, then the tokenize was refused
        await p.WaitForQueueDrainedAsync();
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-t"));

        var completed = await ReplayToCompletionAsync(p, cli, "evt-t");

        // The replay's capture key is new, so only the GET stands between it and a second capture.
        Assert.Equal("tokenized", completed.Outcome);
        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-t"));
        Assert.Equal(1, p.Simulator.State.Count("POST", "/payments/pay-t/capture"));
        Assert.Single(await p.Vault().ListAsync(M, "cust-t", CancellationToken.None));
    }

    [Fact]
    public async Task APoisonMessageIsMovedBackOnceAndProcessedOnce()
    {
        await using var p = await Pipeline.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2",
            ["Connect:MaxRetries"] = "0",
        });
        var cli = CliRunner.For(p, azurite.ConnectionString);
        p.Simulator.State.SeedPayment(M, "pay-p");
        p.Simulator.State.InjectFault("/payments/pay-p", Fault.Status(503), times: 1000);

        await ProcessingPipelineTests.PostAsync(p, SampleEvents.Build("payment.pending_capture", M, "pay-p", "evt-p"));
        await p.WaitForStateAsync("evt-p", ProcessingState.DeadLettered);
        await WaitForPoisonAsync(p, 1);

        var list = await cli.RunAsync("list", "--poison");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("evt-p", list.Out, StringComparison.Ordinal);
        Assert.Contains("Poisoned", list.Out, StringComparison.Ordinal);
        Assert.Contains("Poisoned", (await cli.RunAsync("status", "evt-p")).Out, StringComparison.Ordinal);

        var dryRun = await cli.RunAsync("replay", "--poison", "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Single((await p.PoisonQueue().PeekMessagesAsync(32)).Value);
        Assert.Empty(await p.App.PeekAllAsync());

        p.Simulator.State.ClearFaults(); // Connect is back
        var completed = await ReplayToCompletionAsync(p, cli, "evt-p");

        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-p"));
        Assert.Empty((await p.PoisonQueue().PeekMessagesAsync(32)).Value);
        await AssertReplayChangesNothingAsync(p, cli, "evt-p", completed);
    }

    [Fact]
    public async Task AQuarantinedEventIsReVerifiedReplayedOnceAndProcessedOnce()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        var cli = CliRunner.For(p, azurite.ConnectionString);
        p.Simulator.State.SeedPayment(M, "pay-q");
        var quarantine = new BlobQuarantineStore(new BlobContainerClient(azurite.ConnectionString, p.App.QuarantineContainer));
        // What a deployment before an apiVersion fix kept: a usable event, signed with a key that is still live.
        var usable = await QuarantineAsync(quarantine, SampleEvents.Build("payment.pending_capture", M, "pay-q", "evt-q"), WebhookApp.KeyId);
        // Signed with a key that has since been retired: never replayed on a key that is no longer trusted.
        var retired = await QuarantineAsync(quarantine, SampleEvents.Build("payment.pending_capture", M, "pay-q", "evt-q-old"), "retired-key");
        // A live key id whose signature does not verify under that key's current secret (the secret was changed since).
        var changed = await QuarantineAsync(quarantine, SampleEvents.Build("payment.pending_capture", M, "pay-q", "evt-q-changed"), WebhookApp.KeyId, "an-old-secret");

        var list = await cli.RunAsync("list", "--quarantined");
        Assert.Contains(usable, list.Out, StringComparison.Ordinal);
        Assert.Contains(retired, list.Out, StringComparison.Ordinal);

        var refused = await cli.RunAsync("replay", retired);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not among the current webhook secret keys", refused.Out, StringComparison.Ordinal);
        var unverified = await cli.RunAsync("replay", changed);
        Assert.Equal(1, unverified.ExitCode);
        Assert.Contains("signature does not verify", unverified.Out, StringComparison.Ordinal);

        var replay = await cli.RunAsync("replay", usable);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        var completed = await p.WaitForStateAsync("evt-q", ProcessingState.Completed);
        await p.WaitForQueueDrainedAsync();

        Assert.Equal(1, p.Simulator.State.CountCaptures(M, "pay-q"));
        Assert.Null(await p.Store().GetAsync("evt-q-old", CancellationToken.None));
        Assert.Null(await p.Store().GetAsync("evt-q-changed", CancellationToken.None));
        Assert.Contains("Replayed", (await cli.RunAsync("list", "--quarantined")).Out, StringComparison.Ordinal);
        var again = await cli.RunAsync("replay", usable);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already Completed", again.Out, StringComparison.Ordinal);
        Assert.Empty(await p.App.PeekAllAsync());
        Assert.Equal(completed.ETag, (await p.Store().GetAsync("evt-q", CancellationToken.None))!.ETag);
    }

    [Fact]
    public async Task AQuarantinedEventThatIsStillUnusableIsNotReplayed()
    {
        await using var p = await Pipeline.StartAsync(azurite);
        var cli = CliRunner.For(p, azurite.ConnectionString);
        var v2 = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(SampleEvents.Build("payment.pending_capture", M, "pay-v2", "evt-v2")).Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal));
        await ProcessingPipelineTests.PostAsync(p, v2); // the webhook quarantines it

        var list = await cli.RunAsync("list", "--quarantined", "--since", "10m");
        Assert.Contains("apiVersion", list.Out, StringComparison.Ordinal);

        var replay = await cli.RunAsync("replay", "--quarantined");
        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("still unusable", replay.Out, StringComparison.Ordinal);
        Assert.Empty(await p.App.PeekAllAsync());
        Assert.Null(await p.Store().GetAsync("evt-v2", CancellationToken.None));
    }

    /// <summary>Replays <paramref name="eventId"/> by id and waits until it is Completed and the queue is empty.</summary>
    private static async Task<ProcessedEventRecord> ReplayToCompletionAsync(Pipeline p, CliRunner cli, string eventId)
    {
        var replay = await cli.RunAsync("replay", eventId);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        var completed = await p.WaitForStateAsync(eventId, ProcessingState.Completed);
        await p.WaitForQueueDrainedAsync();
        return completed;
    }

    /// <summary>Replaying a Completed event enqueues nothing and leaves its record as it is.</summary>
    private static async Task AssertReplayChangesNothingAsync(Pipeline p, CliRunner cli, string eventId, ProcessedEventRecord completed)
    {
        var again = await cli.RunAsync("replay", eventId);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Completed", again.Out, StringComparison.Ordinal);
        Assert.Empty(await p.App.PeekAllAsync());
        Assert.Equal(completed.ETag, (await p.Store().GetAsync(eventId, CancellationToken.None))!.ETag);
    }

    /// <summary>Keeps <paramref name="body"/> as ingress would, with the signature made under <paramref name="secret"/>.</summary>
    private static async Task<string> QuarantineAsync(BlobQuarantineStore store, byte[] body, string keyId, string secret = WebhookApp.Secret)
    {
        var now = DateTimeOffset.UtcNow;
        var id = $"{now.UtcDateTime:HHmmssfff}-{Guid.NewGuid():N}";
        var signature = WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(secret));
        await store.StoreAsync(new QuarantinedEvent(id, "unsupported apiVersion 'v1'", keyId, now, new Dictionary<string, string>(), body, signature), CancellationToken.None);
        return id;
    }

    private static async Task WaitForPoisonAsync(Pipeline p, int count)
    {
        var poison = p.PoisonQueue();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await poison.ExistsAsync() && (await poison.PeekMessagesAsync(32)).Value.Length >= count)
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"the poison queue never held {count} message(s)");
    }
}
