using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>Sends hand-made HTTP/1.1 bytes over a socket to 127.0.0.1, for requests HttpClient refuses to build.</summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="request"/> and returns the status code of the first response line, or -1 when the server
    /// closed the connection (or the time ran out) without answering.
    /// </summary>
    public static async Task<int> SendAsync(int port, byte[] request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var cts = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            await socket.SendAsync(request, SocketFlags.None, cts.Token);
            return await ReadStatusAsync(socket, cts.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Announces a body of <paramref name="announced"/> bytes, sends <paramref name="sent"/> of them slowly, then waits
    /// for the server's verdict (Kestrel gives up on uploads below its minimum data rate).
    /// </summary>
    public static async Task<int> SlowUploadAsync(int port, string path, int announced, int sent, TimeSpan between, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GCS-KeyId: k\r\nX-GCS-Signature: AAAA\r\nContent-Length: {announced}\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, cts.Token);
            var read = ReadStatusAsync(socket, cts.Token);
            for (var i = 0; i < sent && !read.IsCompleted; i++)
            {
                await socket.SendAsync(new byte[] { (byte)'{' }, SocketFlags.None, cts.Token);
                await Task.WhenAny(read, Task.Delay(between, cts.Token));
            }

            return await read;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            return -1;
        }
    }

    private static async Task<int> ReadStatusAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[256];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, ct);
            if (read == 0)
            {
                break;
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end > 0)
            {
                var parts = text[..end].Split(' ');
                return parts.Length >= 2 && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var status) ? status : -1;
            }
        }

        return -1;
    }
}
