using System.Reflection;
using BenchmarkDotNet.Running;

namespace ConnectEvents.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet micro-benchmarks, or a named bounded load run.</summary>
public static class BenchmarkProgram
{
    /// <summary>Runs what the arguments name.</summary>
    public static async Task<int> Main(string[] args)
    {
        // `dotnet run -c Release -- load <name> [options]` runs one bounded loopback load run (each prints its figures);
        // `dotnet run -c Release -- load` lists them; anything else goes to BenchmarkDotNet's switcher (`--filter *`).
        if (args is ["load", Processing.BareLoopWorker.Name, ..])
        {
            // Not a load run of its own: the process `load floor` starts as its bare-loop side (see BareLoopWorker).
            return await Processing.BareLoopWorker.RunAsync();
        }

        if (args.Length > 0 && args[0] == "load")
        {
            var runs = typeof(ILoadRun).Assembly.GetTypes()
                .Where(t => typeof(ILoadRun).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .Select(t => (ILoadRun)Activator.CreateInstance(t)!)
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .ToList();
            var chosen = args.Length > 1 ? runs.FirstOrDefault(r => r.Name == args[1]) : null;
            if (chosen is null)
            {
                Console.WriteLine("load runs: " + string.Join(", ", runs.Select(r => r.Name)));
                return args.Length > 1 ? 2 : 0;
            }

            await chosen.RunAsync(args.Skip(2).ToArray());
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
        return 0;
    }
}
