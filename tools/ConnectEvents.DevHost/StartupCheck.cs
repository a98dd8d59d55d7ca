using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ConnectEvents.DevHost;

/// <summary>
/// What the dev host checks before it starts anything, so a newcomer gets one readable message instead of a stack
/// trace: every missing or invalid setting at once (the options validated on start), then the ports to listen on.
/// </summary>
internal static class StartupCheck
{
    /// <summary>Exit code when settings are missing or invalid.</summary>
    public const int InvalidSettings = 2;

    /// <summary>Exit code when a port to listen on is taken.</summary>
    public const int PortTaken = 3;

    /// <summary>Every settings problem: unreadable local.settings.json files, then each failure of the options validated on start.</summary>
    public static List<string> SettingsProblems(IServiceProvider services, LocalSettings local)
    {
        ArgumentNullException.ThrowIfNull(services);
        var problems = new List<string>(local.Problems);
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            problems.AddRange(ex.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures));
        }

        return problems;
    }

    /// <summary>The first address of <paramref name="urls"/> (<c>;</c>-separated) whose port another process holds, or null.</summary>
    public static Uri? TakenAddress(string? urls)
    {
        foreach (var url in (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards (* and +) are not host names Uri accepts; only the port matters here.
            if (!Uri.TryCreate(url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                continue;
            }

            // The probe binds loopback only, whatever the URL names: a port another process holds on any address is
            // taken on loopback too, and the check must never open the port beyond this machine.
            var address = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(address, uri.Port));
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                return uri;
            }
        }

        return null;
    }

    /// <summary>Writes the problems to standard error, one per line, under a line that says how many.</summary>
    public static void Report(TextWriter error, IReadOnlyCollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(error);
        error.WriteLine($"The dev host cannot start: {problems.Count} setting problem(s) (set them in local.settings.json's Values or as environment variables, __ between sections):");
        foreach (var problem in problems)
        {
            error.WriteLine("  - " + problem.ReplaceLineEndings(" "));
        }
    }
}
