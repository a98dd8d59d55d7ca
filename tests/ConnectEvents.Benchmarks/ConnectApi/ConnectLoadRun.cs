using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Connect.Simulator;
using ConnectEvents.Benchmarks.Infrastructure;
using ConnectEvents.ConnectApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Benchmarks.ConnectApi;

/// <summary>
/// Bounded loopback load of GET payment against the Connect simulator: the full client (resilience, signing, logging
/// handler with logging off, JSON model) next to a bare <see cref="HttpClient"/> GET of the same URL signed by hand with
/// the same v1HMAC primitives, in the same run: five ABBA rounds, judged on the median ratio. For context only: a bare GET that also sends
/// X-GCS-ServerMetaInfo and parses the JSON model (the client's inherent work without its pipeline), and a bare unsigned GET
/// (a fast 401 that flatters the bare side). CPU per call is printed too (steadier than req/s on a shared machine).
/// Usage: <c>load connect [requests=20000] [concurrency=32]</c>.
/// </summary>
public sealed class ConnectLoadRun : ILoadRun
{
    private const string Merchant = "1234";
    private const string PaymentId = "000000123410000595980000100001";

    /// <inheritdoc />
    public string Name => "connect";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var total = LoadArgs.Count(args, 0, 20_000);
        var concurrency = LoadArgs.Count(args, 1, 32);
        Console.WriteLine($"connect load: {total} GET payment per measurement, {concurrency} concurrent, simulator on 127.0.0.1");

        await using var simulator = await SimulatorHost.StartAsync();
        Reseed(simulator);
        var path = $"v1/{Merchant}/payments/{PaymentId}";
        var url = new Uri(simulator.BaseAddress, path);

        await using var provider = ClientServices(simulator.BaseAddress);
        var client = provider.GetRequiredService<IConnectClient>();
        using var bare = BareClient(concurrency);
        var secret = Encoding.UTF8.GetBytes(SimulatorHost.DefaultSecretApiKey);

        async Task ViaClient(int _)
        {
            var payment = await client.GetPaymentAsync(Merchant, PaymentId);
            if (payment.Status != "PENDING_CAPTURE")
            {
                throw new InvalidOperationException(payment.Status);
            }
        }

        var metaInfo = ServerMetaInfo.Build(new ConnectOptions());
        Task BareSigned(int _) => BareGetAsync(bare, url, secret, null, HttpStatusCode.OK);
        Task BareLikeForLike(int _) => BareGetAsync(bare, url, secret, metaInfo, HttpStatusCode.OK);
        Task BareUnsigned(int _) => BareGetAsync(bare, url, null, null, HttpStatusCode.Unauthorized);

        // A long, timed warm-up: the client's path (HttpClientFactory handlers, four Polly strategies, async state machines)
        // needs tens of thousands of calls before tiered JIT and dynamic PGO have optimised it; after 2,000 calls it ran at
        // half its settled rate, which measures the JIT, not the client.
        await WarmUpAsync(simulator, "client", TimeSpan.FromSeconds(8), concurrency, ViaClient);
        await WarmUpAsync(simulator, "bare signed", TimeSpan.FromSeconds(3), concurrency, BareSigned);
        await WarmUpAsync(simulator, "bare like-for-like", TimeSpan.FromSeconds(2), concurrency, BareLikeForLike);
        await WarmUpAsync(simulator, "bare unsigned 401", TimeSpan.FromSeconds(1), concurrency, BareUnsigned);

        // Five ABBA rounds: in each, both sides run twice, once early and once late, so drift on a shared machine hits both
        // alike; the verdict is the median of the rounds' ratios (single rounds swing by several points on two cores).
        const int Rounds = 5;
        var ratios = new List<double>(Rounds);
        var cpuRatios = new List<double>(Rounds);
        var clientRuns = new List<LoadResult>();
        var bareRuns = new List<LoadResult>();
        for (var round = 1; round <= Rounds; round++)
        {
            var (client1, client1Cpu) = await Measure(simulator, $"round {round}: client GET payment", total, concurrency, ViaClient);
            var (bare1, bare1Cpu) = await Measure(simulator, $"round {round}: bare GET, signed by hand", total, concurrency, BareSigned);
            var (bare2, bare2Cpu) = await Measure(simulator, $"round {round}: bare GET, signed by hand", total, concurrency, BareSigned);
            var (client2, client2Cpu) = await Measure(simulator, $"round {round}: client GET payment", total, concurrency, ViaClient);
            clientRuns.AddRange([client1, client2]);
            bareRuns.AddRange([bare1, bare2]);
            var ratio = (client1.PerSecond + client2.PerSecond) / (bare1.PerSecond + bare2.PerSecond);
            var cpuRatio = (bare1Cpu + bare2Cpu) / (client1Cpu + client2Cpu);
            ratios.Add(ratio);
            cpuRatios.Add(cpuRatio);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: client/bare throughput {ratio:P1}, bare/client cpu per call {cpuRatio:P1}"));
        }

        var (likeForLike, likeForLikeCpu) = await Measure(simulator, "bare + ServerMetaInfo + JSON model", total, concurrency, BareLikeForLike);
        var (unsigned, unsignedCpu) = await Measure(simulator, "bare HttpClient GET, unsigned -> 401", total, concurrency, BareUnsigned);

        var clientRate = clientRuns.Average(r => r.PerSecond);
        var bareRate = bareRuns.Average(r => r.PerSecond);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"client {clientRate:F0}/s (p50 {clientRuns.Average(r => r.P50Ms):F2} ms, p99 {clientRuns.Average(r => r.P99Ms):F2} ms) " +
            $"vs bare signed {bareRate:F0}/s (p50 {bareRuns.Average(r => r.P50Ms):F2} ms, p99 {bareRuns.Average(r => r.P99Ms):F2} ms) over {Rounds} ABBA rounds"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"client/bare per round: {string.Join(", ", ratios.Select(r => r.ToString("P1", CultureInfo.InvariantCulture)))}; median {LoadStats.Median(ratios):P1} (goal >= 80 %); " +
            $"cpu per call bare/client median {LoadStats.Median(cpuRatios):P1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"for context: bare signed with X-GCS-ServerMetaInfo and the JSON model parsed (the client's inherent work, no pipeline) {likeForLike.PerSecond:F0}/s ({likeForLikeCpu:F1} us/call), " +
            $"client/that = {clientRate / likeForLike.PerSecond:P1}; bare unsigned (a 401 before any payment lookup) {unsigned.PerSecond:F0}/s ({unsignedCpu:F1} us/call), client/unsigned = {clientRate / unsigned.PerSecond:P1}"));
    }

    /// <summary>Runs and prints one measurement (quietly when <paramref name="label"/> is null) with the process CPU per call.</summary>
    private static async Task<(LoadResult Result, double CpuUs)> Measure(SimulatorHost simulator, string? label, int count, int concurrency, Func<int, Task> operation)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await LoadStats.RunAsync(label ?? "warm-up", count, concurrency, operation, print: label is not null);
        // CPU per call is steadier than req/s when other work shares the machine; it covers client and simulator alike.
        var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / count;
        if (label is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",-40} cpu {cpuUs,6:F1} us/call (whole process: caller + simulator)"));
        }
        Reseed(simulator);
        if (result.Failures > 0)
        {
            throw new InvalidOperationException($"{label}: {result.Failures} of {count} calls failed; the figures are not comparable.");
        }

        return (result, cpuUs);
    }

    /// <summary>Runs batches of 2,000 calls until <paramref name="duration"/> has passed, then prints the last batch's figures.</summary>
    private static async Task WarmUpAsync(SimulatorHost simulator, string label, TimeSpan duration, int concurrency, Func<int, Task> operation)
    {
        var started = Stopwatch.StartNew();
        var calls = 0;
        while (started.Elapsed < duration)
        {
            var (result, _) = await Measure(simulator, null, 2000, concurrency, operation);
            calls += result.Requests;
        }

        await Measure(simulator, $"{label} (after {calls} warm-up calls)", 2000, concurrency, operation);
    }

    private static void Reseed(SimulatorHost simulator)
    {
        simulator.State.Reset();
        // The request log keeps every request's headers; growing it by 20,000 entries per measurement would cost the side
        // that sends more headers (the client's X-GCS-ServerMetaInfo) in GC work that a real Connect server never puts on us.
        simulator.State.RecordRequests = false;
        simulator.State.SeedPayment(Merchant, PaymentId);
    }

    private static ServiceProvider ClientServices(Uri endpoint)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connect:Endpoint"] = endpoint.ToString(),
            ["Connect:ApiKeyId"] = SimulatorHost.DefaultApiKeyId,
            ["Connect:SecretApiKey"] = SimulatorHost.DefaultSecretApiKey,
            ["Connect:LogRequests"] = "false",
        }).Build();
        var services = new ServiceCollection();
        // No logging provider: every logger is disabled, as with LogRequests off and Warning level in production.
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddConnectClient(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static HttpClient BareClient(int concurrency) =>
        new(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
            MaxConnectionsPerServer = Math.Max(concurrency, 256),
        });

    /// <summary>
    /// One GET, signed by hand per call (fresh Date, canonical string, HMAC) when a secret is given, optionally with
    /// X-GCS-ServerMetaInfo (then the body is parsed into the client's model, else it is read to the end as bytes).
    /// </summary>
    private static async Task BareGetAsync(HttpClient http, Uri url, byte[]? secret, string? metaInfo, HttpStatusCode expected)
    {
        using var request = secret is null ? new HttpRequestMessage(HttpMethod.Get, url) : SignedGet(url, SimulatorHost.DefaultApiKeyId, secret, metaInfo);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (metaInfo is not null && response.IsSuccessStatusCode)
        {
            JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(), ConnectJsonContext.Default.PaymentResponse);
        }
        else
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}");
        }
    }

    /// <summary>A GET signed per call (fresh Date, then the product's one signing path), optionally with X-GCS-ServerMetaInfo.</summary>
    internal static HttpRequestMessage SignedGet(Uri url, string apiKeyId, byte[] secret, string? metaInfo = null) =>
        SignedConnectRequest.Create(HttpMethod.Get, url, apiKeyId, secret, metaInfo is null ? [] : [new(ServerMetaInfo.HeaderName, metaInfo)]);
}
