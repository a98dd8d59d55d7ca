using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Processing;

/// <summary>
/// A process killed (SIGKILL) during an event's last delivery, on the crash harness (the queue trigger's semantics, with a
/// short visibility) against Azurite and the simulator: the successor that delivery armed delivers the event again with a
/// fresh budget, so it is captured once with no operator; an event that fails on every delivery still ends in poison.
/// </summary>
public sealed class LastDeliveryCrashTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Merchant = "1234";
    private const int MaxDequeueCount = 3;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(6); // CrashHarness.Settings

    [Fact]
    public async Task AnEventWhoseLastDeliveryIsKilledIsCapturedOnceWithoutAnOperator()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        // One delivery per message, so the first is the last: nothing but the kill decides where the process dies.
        var (settings, queue, poison, store) = await PrepareAsync(simulator, maxDequeueCount: 1);
        simulator.State.SeedPayment(Merchant, "pay-k");
        await queue.SendMessageAsync(BinaryData.FromBytes(SampleEvents.Build("payment.pending_capture", Merchant, "pay-k", "evt-k")));

        settings["Crash__Probability"] = "1";
        settings["Crash__OnlyOnDelivery"] = "1";
        settings["Crash__OnlyAt"] = "after-get";
        var killed = await BoundedProcess.RunAsync(CrashHarness.StartInfo(settings), TimeSpan.FromSeconds(120));
        Assert.True(killed.ExitCode == 137, $"the harness was not killed on the last delivery: exit {killed.ExitCode}\n{killed.Stdout}\n{killed.Stderr}");
        Assert.Contains("crash after-get 1", killed.Stdout, StringComparison.Ordinal);
        Assert.Equal(ProcessingState.Processing, (await store.GetAsync("evt-k", CancellationToken.None))?.State);

        // The platform starts a new instance; nothing else happens: no replay, no operator.
        settings["Crash__Probability"] = "0";
        var watch = Stopwatch.StartNew();
        using var next = Process.Start(CrashHarness.StartInfo(settings))!;
        var outputs = Task.WhenAll(next.StandardOutput.ReadToEndAsync(), next.StandardError.ReadToEndAsync());
        ProcessedEventRecord? record = null;
        try
        {
            while (watch.Elapsed < TimeSpan.FromSeconds(120) && record?.State != ProcessingState.Completed)
            {
                await Task.Delay(200);
                record = await store.GetAsync("evt-k", CancellationToken.None);
            }

            // The killed delivery's own message comes back once (delivery 2) and goes to poison unprocessed, as the trigger does.
            while (watch.Elapsed < TimeSpan.FromSeconds(120) && (await poison.PeekMessagesAsync(32)).Value.Length == 0)
            {
                await Task.Delay(200);
            }
        }
        finally
        {
            next.Kill(entireProcessTree: true);
            await next.WaitForExitAsync();
        }

        var lines = await outputs;
        output.WriteLine($"completed {watch.Elapsed.TotalSeconds:F1} s after the restart (lease {Lease.TotalSeconds:F0} s)\n{lines[0]}\n{lines[1]}");
        Assert.True(record?.State == ProcessingState.Completed, $"not completed without an operator: {record}\n{lines[0]}\n{lines[1]}");
        Assert.Equal("captured", record!.Outcome);
        Assert.Equal(1, simulator.State.CountCaptures(Merchant, "pay-k"));
        Assert.Equal(1, simulator.State.Count("POST", "/payments/pay-k/capture"));
        // Every claim here is a last delivery's: the killed one's, its successor's, and on a slow machine a retry or two of it;
        // never more than the bound allows.
        Assert.InRange(record.RedriveCount, 2, new ConnectEvents.Processing.ProcessingOptions().MaxRedrives + 1);
        Assert.Equal(0, record.ReplayGeneration);
        Assert.Single((await poison.PeekMessagesAsync(32)).Value); // the dead delivery's message: status shows its record Completed
    }

    [Fact]
    public async Task AnEventThatFailsOnEveryDeliveryStillEndsInPoison()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        var (settings, queue, poison, store) = await PrepareAsync(simulator, MaxDequeueCount);
        simulator.State.SeedPayment(Merchant, "pay-d");
        simulator.State.InjectFault("/payments/pay-d", Fault.Status(503), times: 1000);
        await queue.SendMessageAsync(BinaryData.FromBytes(SampleEvents.Build("payment.pending_capture", Merchant, "pay-d", "evt-d")));

        settings["Crash__Probability"] = "0";
        using var harness = Process.Start(CrashHarness.StartInfo(settings))!;
        var outputs = Task.WhenAll(harness.StandardOutput.ReadToEndAsync(), harness.StandardError.ReadToEndAsync());
        ProcessedEventRecord? record = null;
        try
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(120) && record?.State != ProcessingState.DeadLettered)
            {
                await Task.Delay(200);
                record = await store.GetAsync("evt-d", CancellationToken.None);
            }

            // Past the lease of the last delivery and a redelivery: a successor it armed would have arrived by now.
            await Task.Delay(Lease + TimeSpan.FromSeconds(4));
        }
        finally
        {
            harness.Kill(entireProcessTree: true);
            await harness.WaitForExitAsync();
        }

        var lines = await outputs;
        record = await store.GetAsync("evt-d", CancellationToken.None);
        Assert.True(record?.State == ProcessingState.DeadLettered, $"{record}\n{lines[0]}\n{lines[1]}");
        Assert.Equal(MaxDequeueCount, simulator.State.Count("GET", "/payments/pay-d")); // no delivery beyond the budget
        Assert.Single((await poison.PeekMessagesAsync(32)).Value);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private async Task<(Dictionary<string, string> Settings, QueueClient Queue, QueueClient Poison, TableProcessedEventStore Store)> PrepareAsync(SimulatorHost simulator, int maxDequeueCount)
    {
        Assert.True(File.Exists(CrashHarness.Dll), $"build the solution first: {CrashHarness.Dll} is missing");
        var queueName = AzuriteFixture.UniqueName("last");
        var eventsTable = "pe" + Guid.NewGuid().ToString("N")[..16];
        var encoding = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var queue = new QueueClient(azurite.ConnectionString, queueName, encoding);
        var poison = new QueueClient(azurite.ConnectionString, queueName + "-poison", encoding);
        await queue.CreateAsync();
        await poison.CreateAsync();
        var settings = CrashHarness.Settings(azurite.ConnectionString, simulator, queueName, eventsTable);
        settings["Connect__MaxRetries"] = "0";
        settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = maxDequeueCount.ToString(CultureInfo.InvariantCulture);
        settings["Crash__VisibilityTimeout"] = "00:00:02";
        settings["Crash__Concurrency"] = "2";
        return (settings, queue, poison, new TableProcessedEventStore(new TableClient(azurite.ConnectionString, eventsTable), TimeProvider.System));
    }
}
