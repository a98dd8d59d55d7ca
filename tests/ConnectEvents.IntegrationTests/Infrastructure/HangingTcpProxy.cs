using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of one port that can hang: while hung it accepts connections but moves no byte in
/// either direction and opens nothing upstream, so callers neither get an answer nor a refusal (a storage account that
/// stopped responding, not one that went away). Bytes read before or during the hang are held and forwarded on resume.
/// </summary>
public sealed class HangingTcpProxy : IAsyncDisposable
{
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(10);

    private readonly int _targetPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly object _gate = new();
    private readonly Task _accepting;
    private TaskCompletionSource _flowing = NewFlow(open: true);
    private int _accepted;

    /// <summary>Starts listening on 127.0.0.1 (a free port), forwarding to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public HangingTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>The port the proxy listens on.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Stops forwarding: open and new connections stall until <see cref="Resume"/>.</summary>
    public void Hang()
    {
        lock (_gate)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = NewFlow(open: false);
            }
        }
    }

    /// <summary>Forwards again, starting with whatever was held.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _flowing.TrySetResult();
        }
    }

    /// <summary>Stops listening, closes every connection and waits (bounded) for every forwarding task to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets.Keys)
        {
            socket.Dispose();
        }

        // The tasks end on cancellation or on their disposed sockets; the bound keeps a bug here from hanging the test run.
        await Task.WhenAll([_accepting, .. _connections.Keys]).WaitAsync(DisposeBound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static TaskCompletionSource NewFlow(bool open)
    {
        var flow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            flow.SetResult();
        }

        return flow;
    }

    private Task WhileHungAsync(CancellationToken ct)
    {
        Task flowing;
        lock (_gate)
        {
            flowing = _flowing.Task;
        }

        return flowing.IsCompleted ? Task.CompletedTask : flowing.WaitAsync(ct);
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _sockets.TryAdd(client, 0);
            var connection = ForwardAsync(client, ct);
            _connections.TryAdd(connection, 0);
            // Forget finished connections so a long run does not keep them all.
            _ = connection.ContinueWith(t => _connections.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ForwardAsync(Socket client, CancellationToken ct)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.TryAdd(upstream, 0);
        try
        {
            // A hung storage endpoint is not reached at all: the upstream connection waits too.
            await WhileHungAsync(ct);
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, ct);
            await Task.WhenAll(PumpAsync(client, upstream, ct), PumpAsync(upstream, client, ct));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            Close(client);
            Close(upstream);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                await WhileHungAsync(ct);
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                // Data that arrives once the hang began is held here until resume.
                await WhileHungAsync(ct);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, ct);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side failed: end the other direction too, as a real connection would.
            Close(from);
            Close(to);
        }
    }

    private void Close(Socket socket)
    {
        if (_sockets.TryRemove(socket, out _))
        {
            socket.Dispose();
        }
    }
}
