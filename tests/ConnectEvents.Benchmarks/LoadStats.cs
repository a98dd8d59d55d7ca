using System.Diagnostics;

namespace ConnectEvents.Benchmarks;

/// <summary>Runs a bounded number of async operations at fixed concurrency and reports throughput and latency percentiles.</summary>
public static class LoadStats
{
    /// <summary>Runs <paramref name="operation"/> <paramref name="total"/> times with <paramref name="concurrency"/> workers; prints the figures unless told not to.</summary>
    public static async Task<LoadResult> RunAsync(string label, int total, int concurrency, Func<int, Task> operation, bool print = true)
    {
        var latencies = new double[total];
        var next = -1;
        var failures = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await operation(i);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }

                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        });
        await Task.WhenAll(workers);
        stopwatch.Stop();
        Array.Sort(latencies);
        var result = new LoadResult(label, total, failures, total / stopwatch.Elapsed.TotalSeconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99));
        if (print)
        {
            Console.WriteLine(result);
        }

        return result;
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0..1) of an ascending list; 0 when it is empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}

/// <summary>Figures of one load run.</summary>
public sealed record LoadResult(string Label, int Requests, int Failures, double PerSecond, double P50Ms, double P99Ms)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Label,-40} n={Requests} failed={Failures} rate={PerSecond,9:F0}/s p50={P50Ms,7:F2} ms p99={P99Ms,7:F2} ms";
}
