using System.Diagnostics;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// How the bare loop of <c>load floor</c> is started: the benchmarks executable's hidden <c>load bare-loop-worker</c> mode,
/// as its own process, settings in the environment, standard streams redirected (stdin carries its commands). Compiled into
/// the benchmarks too, so that run and its smoke test start it alike.
/// </summary>
public static class BareLoopWorkerStart
{
    /// <summary>The benchmarks executable as the solution build leaves it.</summary>
    public static string BenchmarksDll => RepositoryPaths.BuiltAssembly(Path.Combine("tests", "ConnectEvents.Benchmarks"), "ConnectEvents.Benchmarks");

    /// <summary>Starts <c>dotnet <paramref name="benchmarksDll"/> load bare-loop-worker</c> with <paramref name="environment"/> added.</summary>
    public static Process Start(string benchmarksDll, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetTempPath(),
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { benchmarksDll, "load", "bare-loop-worker" })
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the bare-loop worker");
    }
}
