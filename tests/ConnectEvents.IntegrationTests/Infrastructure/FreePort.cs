using System.Net;
using System.Net.Sockets;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>Hands out free TCP ports on 127.0.0.1.</summary>
public static class FreePort
{
    /// <summary>Returns a port that was free on 127.0.0.1 a moment ago.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
