namespace ConnectEvents.Benchmarks;

/// <summary>A bounded loopback load run: a fixed request count or duration, 127.0.0.1 only, prints its figures and stops.</summary>
public interface ILoadRun
{
    /// <summary>The name given on the command line after <c>load</c>.</summary>
    string Name { get; }

    /// <summary>Runs the load and prints the figures (req/s, p50, p99 and the baseline measured in the same run).</summary>
    Task RunAsync(string[] args);
}

/// <summary>Reads a load run's positional arguments.</summary>
public static class LoadArgs
{
    /// <summary>The number at <paramref name="index"/>, or <paramref name="fallback"/> when it was not given.</summary>
    public static int Count(string[] args, int index, int fallback) =>
        args is not null && args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
