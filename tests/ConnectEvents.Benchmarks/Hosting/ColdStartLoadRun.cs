using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using ConnectEvents.Functions.Webhooks;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.Benchmarks.Hosting;

/// <summary>
/// Cold start of the dev host as a user starts it (<c>dotnet ConnectEvents.DevHost.dll --urls …</c>, settings as environment
/// variables, the queue listener on): process start to the first 200 on the webhook verification GET, as Worldline's
/// endpoint check sends it; median of N starts, next to tests/BareKestrel started the same way, starts interleaved so drift
/// on a shared machine hits both alike. The deployable zip is not measured: it runs only under the Functions host.
/// Usage: <c>load coldstart [starts=15] [--variants] [--r2r DIR]</c>: <c>--variants</c> adds start-up options that need no
/// code change, <c>--r2r</c> a ReadyToRun publish of the dev host in DIR.
/// </summary>
public sealed class ColdStartLoadRun : ILoadRun
{
    /// <inheritdoc />
    public string Name => "coldstart";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var starts = LoadArgs.Count(args, 0, 15);
        Console.WriteLine($"cold start: process start -> first 200 on GET {ConnectWebhook.Route}, median of {starts} interleaved starts, 127.0.0.1");
        // Both are built with this project (project references), in its configuration, as DevHostProcess.AppDll assumes.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<configuration>/net10.0/
        var bare = Path.Combine(RepositoryPaths.Root, "tests", "BareKestrel", "bin", configuration, "net10.0", "BareKestrel.dll");

        // The dev host creates its queue before it listens, so it needs storage that answers; the bare app needs nothing.
        await using var azurite = await AzuriteInstance.StartAsync();
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, "cold-key", "cold-secret");
        settings["Events__QueueName"] = "coldstart";

        var none = new Dictionary<string, string>();
        var variants = new List<(string Name, string Dll, Dictionary<string, string> Environment)> { ("dev host", DevHostProcess.AppDll, settings) };
        if (args.Contains("--variants"))
        {
            // Start-up options that need no code change, each alone, to see which are worth shipping.
            variants.Add(("dev host, TieredPGO off", DevHostProcess.AppDll, With(settings, "DOTNET_TieredPGO", "0")));
            variants.Add(("dev host, hosted services start concurrently", DevHostProcess.AppDll, With(settings, "DOTNET_servicesStartConcurrently", "true")));
            variants.Add(("dev host, invariant globalization", DevHostProcess.AppDll, With(settings, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")));
        }

        if (OptionValue(args, "--r2r") is { } r2rDir)
        {
            // A ReadyToRun publish of the dev host (dotnet publish tools/ConnectEvents.DevHost -c Release -r linux-x64
            // --self-contained false -p:PublishReadyToRun=true -o DIR).
            variants.Add(("dev host, ReadyToRun", Path.Combine(Path.GetFullPath(r2rDir), "ConnectEvents.DevHost.dll"), settings));
        }

        await StartOnceAsync(bare, none); // warm the page cache for all before measuring
        foreach (var variant in variants)
        {
            await StartOnceAsync(variant.Dll, variant.Environment);
        }

        var times = variants.Select(_ => new List<double>()).ToList();
        var bareTimes = new List<double>();
        for (var i = 0; i < starts; i++)
        {
            bareTimes.Add(await StartOnceAsync(bare, none));
            for (var v = 0; v < variants.Count; v++)
            {
                times[v].Add(await StartOnceAsync(variants[v].Dll, variants[v].Environment));
            }
        }

        var bareMedian = LoadStats.Median(bareTimes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"bare Kestrel",-48} median {bareMedian,6:F0} ms  min {bareTimes.Min(),6:F0}  max {bareTimes.Max(),6:F0}"));
        for (var v = 0; v < variants.Count; v++)
        {
            var median = LoadStats.Median(times[v]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variants[v].Name,-48} median {median,6:F0} ms  min {times[v].Min(),6:F0}  max {times[v].Max(),6:F0}  ratio to bare {median / bareMedian:F2}"));
        }
    }

    private static Dictionary<string, string> With(Dictionary<string, string> settings, string key, string value) => new(settings) { [key] = value };

    private static string? OptionValue(string[] args, string option)
    {
        var at = Array.IndexOf(args, option);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>Starts <c>dotnet <paramref name="dll"/></c> on a free port and returns the milliseconds until the verification GET answered 200.</summary>
    private static async Task<double> StartOnceAsync(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort.Next();
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {dll}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (process.HasExited || started.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new InvalidOperationException($"{dll} did not answer within 30 s (exited: {process.HasExited})");
                }

                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{ConnectWebhook.Route}");
                    request.Headers.TryAddWithoutValidation(ConnectWebhook.VerificationHeader, "cold");
                    using var response = await http.SendAsync(request);
                    if (response.IsSuccessStatusCode)
                    {
                        return started.Elapsed.TotalMilliseconds;
                    }
                }
                catch (HttpRequestException ex) when (ex.InnerException is SocketException)
                {
                    // Not listening yet.
                }

                await Task.Delay(1);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
