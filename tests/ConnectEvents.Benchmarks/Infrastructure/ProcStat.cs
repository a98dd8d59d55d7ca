using System.Globalization;

namespace ConnectEvents.Benchmarks.Infrastructure;

/// <summary>CPU time of one process as the Linux kernel accounts it, from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
internal static class ProcStat
{
    /// <summary>The kernel's clock ticks per second in /proc (USER_HZ, 100 on every Linux ABI .NET runs on).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>
    /// User + system time of process <paramref name="pid"/> so far, all its threads (living and exited), not its children
    /// (fields 14 and 15 of /proc/&lt;pid&gt;/stat; 10 ms resolution).
    /// </summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one (field 3 = index 0).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The 1, 5 and 15 minute load averages of the machine (first three fields of /proc/loadavg).</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
