using System.Net;
using System.Net.Sockets;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// Hands out free TCP ports on 127.0.0.1 for servers the tests start, from below the kernel's ephemeral range. Test
/// classes run in parallel and some stop a server and start it again on the same port (storage down, then back): an
/// ephemeral port could meanwhile become the local end of any outgoing connection, or be handed out again, and the
/// restart would fail. Ports below that range are only ever bound on purpose, and each is handed out once per run.
/// </summary>
public static class FreePort
{
    private const int Lowest = 10_000;
    private static readonly int Highest = EphemeralLow() - 1;

    // A start that differs per process keeps two test runs on one machine (two worktrees) apart as well.
    private static int _next = Lowest + (Environment.ProcessId * 7919 % Math.Max(1, Highest - Lowest));

    /// <summary>Returns a port that is free on 127.0.0.1 now and that no other caller in this process was given.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < Highest - Lowest; tries++)
        {
            var port = Lowest + ((Interlocked.Increment(ref _next) - Lowest) % (Highest - Lowest + 1));
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free port on 127.0.0.1 between {Lowest} and {Highest}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux's default when it cannot be read).</summary>
    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture) is var low && low > Lowest + 1000 ? low : 32_768;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
