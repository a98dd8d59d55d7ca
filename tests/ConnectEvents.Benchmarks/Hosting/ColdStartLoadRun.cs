using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Sockets;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.Benchmarks.Hosting;

/// <summary>
/// Cold start of the deployable package: process start to the first 200 on the webhook route (the verification GET,
/// as Worldline's endpoint check sends it), median of N starts, next to tests/BareKestrel published the same way,
/// starts interleaved so drift on a shared machine hits both alike.
/// Usage: <c>load coldstart [starts=15] [modes=r2r]</c>, modes a comma list of r2r, jit, aot (see scripts/package.sh).
/// </summary>
public sealed class ColdStartLoadRun : ILoadRun
{
    private const string VerificationHeader = "X-GCS-Webhooks-Endpoint-Verification";

    /// <inheritdoc />
    public string Name => "coldstart";

    /// <inheritdoc />
    public async Task RunAsync(string[] args)
    {
        var starts = LoadArgs.Count(args, 0, 15);
        var modes = args.Length > 1 ? args[1].Split(',', StringSplitOptions.RemoveEmptyEntries) : ["r2r"];
        var work = Path.Combine(RepositoryPaths.Root, "artifacts", "coldstart");
        Console.WriteLine($"cold start: process start -> first 200 on GET /api/webhooks/connect, median of {starts} interleaved starts, 127.0.0.1");
        foreach (var mode in modes)
        {
            var zip = Path.Combine(work, $"connect-events-{mode}.zip");
            var app = Path.Combine(work, mode, "app");
            var bare = Path.Combine(work, mode, "bare");
            await RunAsync("bash", $"scripts/package.sh --mode {mode} --out {zip}");
            if (Directory.Exists(app))
            {
                Directory.Delete(app, recursive: true);
            }

            ZipFile.ExtractToDirectory(zip, app);
            await RunAsync("dotnet", $"publish tests/BareKestrel -c Release -r linux-x64 --self-contained {BareProperties(mode)} -o {bare} -v quiet -nologo");

            var appTimes = new List<double>();
            var bareTimes = new List<double>();
            await StartOnceAsync(Path.Combine(bare, "BareKestrel")); // warm the page cache for both before measuring
            await StartOnceAsync(Path.Combine(app, "ConnectEvents.Functions"));
            for (var i = 0; i < starts; i++)
            {
                bareTimes.Add(await StartOnceAsync(Path.Combine(bare, "BareKestrel")));
                appTimes.Add(await StartOnceAsync(Path.Combine(app, "ConnectEvents.Functions")));
            }

            var appMedian = Median(appTimes);
            var bareMedian = Median(bareTimes);
            Console.WriteLine($"{mode}: package {new FileInfo(zip).Length / 1048576.0:F1} MiB, app folder {FolderMiB(app):F1} MiB, bare folder {FolderMiB(bare):F1} MiB");
            Console.WriteLine($"{mode}: bare Kestrel   median {bareMedian,6:F0} ms  min {bareTimes.Min(),6:F0}  max {bareTimes.Max(),6:F0}");
            Console.WriteLine($"{mode}: connect-events median {appMedian,6:F0} ms  min {appTimes.Min(),6:F0}  max {appTimes.Max(),6:F0}");
            Console.WriteLine($"{mode}: ratio app/bare {appMedian / bareMedian:F2} (goal <= 1.5)");
        }
    }

    private static string BareProperties(string mode) => mode switch
    {
        "aot" => "-p:PublishAot=true -p:StripSymbols=true",
        "r2r" => "-p:PublishReadyToRun=true",
        "jit" => "-p:PublishReadyToRun=false",
        _ => throw new ArgumentException($"unknown mode '{mode}' (aot, r2r or jit)"),
    };

    /// <summary>Starts the executable as the Functions host would and returns the milliseconds until the verification GET answered 200.</summary>
    private static async Task<double> StartOnceAsync(string executable)
    {
        var port = FreePort.Next();
        var psi = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Path.GetDirectoryName(executable)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        // Minimal settings; storage is only touched when an event is posted, so no Azurite is needed here.
        psi.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        psi.Environment["Webhooks__SecretKeys__0__KeyId"] = "cold-key";
        psi.Environment["Webhooks__SecretKeys__0__Secret"] = "cold-secret";
        psi.Environment["Processing__Pump__Enabled"] = "false";
        psi.Environment["Connect__Endpoint"] = "http://127.0.0.1:9/";
        psi.Environment["Connect__ApiKeyId"] = "cold-api-key";
        psi.Environment["Connect__SecretApiKey"] = "cold-api-secret";

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {executable}");
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
                    throw new InvalidOperationException($"{executable} did not answer within 30 s (exited: {process.HasExited})");
                }

                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/api/webhooks/connect");
                    request.Headers.TryAddWithoutValidation(VerificationHeader, "cold");
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

    private static async Task RunAsync(string file, string arguments)
    {
        var started = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = RepositoryPaths.Root, UseShellExecute = false })
            ?? throw new InvalidOperationException($"could not start {file}");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed with {process.ExitCode}");
        }

        Console.WriteLine($"  ({file} {arguments.Split(' ')[0]}: {started.Elapsed.TotalSeconds:F0} s)");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double FolderMiB(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => f.Extension is not (".dbg" or ".pdb" or ".xml")).Sum(f => f.Length) / 1048576.0;
}
