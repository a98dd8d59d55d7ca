using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Processing;

/// <summary>
/// The bare loop that <c>load floor</c> (tests/ConnectEvents.Benchmarks) measures the app against does the app's calls: run as its
/// own process (the benchmarks executable's hidden <c>load bare-loop-worker</c> mode) over Azurite and the simulator, it
/// captures each payment exactly once with an authenticated, keyed capture, writes one Completed row per event and
/// deletes every message. Otherwise the run's ratio would compare the app with less work than it does.
/// </summary>
public sealed class BareLoopWorkerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Merchant = "1234";
    private const int Events = 20;

    [Fact]
    public async Task CapturesEachPaymentOnceWritesOneCompletedRowPerEventAndEmptiesTheQueue()
    {
        Assert.True(File.Exists(BareLoopWorkerStart.BenchmarksDll), $"build the solution first: {BareLoopWorkerStart.BenchmarksDll} is missing");
        await using var simulator = await SimulatorHost.StartAsync();
        var queue = new QueueClient(azurite.ConnectionString, AzuriteFixture.UniqueName("bare"), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateAsync();
        var tableName = AzuriteFixture.UniqueName("bare")[..24];
        var payments = Enumerable.Range(0, Events).Select(i => string.Create(CultureInfo.InvariantCulture, $"pay-bare-{i:D3}")).ToArray();
        foreach (var payment in payments)
        {
            simulator.State.SeedPayment(Merchant, payment);
            await queue.SendMessageAsync(BinaryData.FromBytes(SampleEvents.Build("payment.pending_capture", Merchant, payment)));
        }

        var (exitCode, output) = await RunWorkerAsync(new Dictionary<string, string>
        {
            ["BareLoop__Storage"] = azurite.ConnectionString,
            ["BareLoop__Queue"] = queue.Name,
            ["BareLoop__Table"] = tableName,
            ["BareLoop__ConnectEndpoint"] = simulator.BaseAddress.ToString(),
            ["BareLoop__ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
            ["BareLoop__SecretApiKey"] = SimulatorHost.DefaultSecretApiKey,
            ["BareLoop__Until"] = Events.ToString(CultureInfo.InvariantCulture),
        });

        Assert.True(exitCode == 0, $"the worker exited with {exitCode}:\n{output}");
        Assert.Contains($"report processed={Events} failed=0 runtime={{\"allocatedBytes\":", output, StringComparison.Ordinal);
        Assert.All(payments, p => Assert.Equal(1, simulator.State.CountCaptures(Merchant, p)));
        var captures = simulator.State.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/capture", StringComparison.Ordinal)).ToList();
        Assert.Equal(Events, captures.Count);
        Assert.All(captures, r => Assert.True(r.Authenticated && r.IdempotenceKey is { Length: > 0 }, r.AuthenticationFailure ?? "capture sent without an idempotence key"));
        Assert.Equal(Events, simulator.State.Requests.Count(r => r.Method == "GET" && r.Authenticated));

        var rows = new List<TableEntity>();
        var indexRows = 0;
        await foreach (var row in new TableClient(azurite.ConnectionString, tableName).QueryAsync<TableEntity>())
        {
            if (string.CompareOrdinal(row.PartitionKey, RecordIndex.Prefix) >= 0)
            {
                indexRows++; // the payment's index row the claim writes beside its record, as the app's store does
            }
            else
            {
                rows.Add(row);
            }
        }

        Assert.Equal(Events, indexRows);
        Assert.Equal(payments.Order(StringComparer.Ordinal), rows.Select(r => r.GetString("PaymentId")).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal("Completed", r.GetString("State")));
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    /// <summary>Runs the worker until it stops by itself after its <c>Until</c> count (killed after 60 s); returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunWorkerAsync(Dictionary<string, string> environment)
    {
        using var process = BareLoopWorkerStart.Start(BareLoopWorkerStart.BenchmarksDll, environment);
        var run = await BoundedProcess.WaitAsync(process, TimeSpan.FromSeconds(60));
        return (run.ExitCode, run.Stdout + run.Stderr);
    }
}
