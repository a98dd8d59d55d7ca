using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of one port that can hang: while hung it accepts connections but moves no byte in
/// either direction and opens nothing upstream, so callers neither get an answer nor a refusal (a storage account that
/// stopped responding, not one that went away). On resume, connections whose two ends are still open carry on with what
/// was held; what a caller sent and then gave up on during the hang is never delivered.
/// </summary>
public sealed class HangingTcpProxy : IAsyncDisposable
{
    private const int MaxHeldBytes = 1024 * 1024;
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

    private bool IsHung
    {
        get
        {
            lock (_gate)
            {
                return !_flowing.Task.IsCompleted;
            }
        }
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
            // A hung endpoint is not reached at all: a connection opened during the hang reaches it only on resume.
            var connected = ConnectWhenFlowingAsync(upstream, ct);
            await Task.WhenAll(PumpAsync(client, upstream, connected, ct), ReturnAsync(upstream, client, connected, ct));
        }
        finally
        {
            Close(client);
            Close(upstream);
        }
    }

    private async Task ConnectWhenFlowingAsync(Socket upstream, CancellationToken ct)
    {
        await WhileHungAsync(ct);
        await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, ct);
    }

    private async Task ReturnAsync(Socket upstream, Socket client, Task connected, CancellationToken ct)
    {
        try
        {
            await connected;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            Close(client);
            Close(upstream);
            return;
        }

        await PumpAsync(upstream, client, connected, ct);
    }

    /// <summary>
    /// Moves bytes from <paramref name="from"/> to <paramref name="to"/>. While hung, what arrives is held and sent on resume
    /// if the sender is still there; a sender that gives up during the hang is cut off with everything it sent, so a
    /// request abandoned during the outage never reaches storage late and cannot make up for an event the app dropped.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, Task ready, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var held = new List<byte[]>();
        var heldBytes = 0;
        Task<int>? pending = null;
        try
        {
            while (true)
            {
                if (heldBytes >= MaxHeldBytes)
                {
                    // Read no more: the sender's own buffers fill and it stalls, as it would against a real hung peer.
                    await WhileHungAsync(ct);
                }

                pending ??= from.ReceiveAsync(buffer, SocketFlags.None, ct).AsTask();
                if (held.Count > 0)
                {
                    await Task.WhenAny(pending, WhileHungAsync(ct));
                    if (!pending.IsCompleted)
                    {
                        // Resumed while the sender is quiet (waiting for an answer): deliver what was held now.
                        await SendHeldAsync(to, held, ready, ct);
                        heldBytes = 0;
                        continue;
                    }
                }

                int read;
                try
                {
                    read = await pending;
                }
                catch (SocketException) when (IsHung)
                {
                    read = 0;
                }

                pending = null;
                if (IsHung)
                {
                    if (read == 0)
                    {
                        // The sender gave up during the hang: nothing it sent arrives; the connection ends on resume.
                        await WhileHungAsync(ct);
                        break;
                    }

                    held.Add(buffer.AsSpan(0, read).ToArray());
                    heldBytes += read;
                    continue;
                }

                await SendHeldAsync(to, held, ready, ct);
                heldBytes = 0;
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await ready;
                await SendAllAsync(to, buffer.AsMemory(0, read), ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            // A read still pending ends when its socket closes; observe it so its failure is not reported as unobserved.
            _ = pending?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        // One side failed or was abandoned: end the other direction too, as a real connection would.
        Close(from);
        Close(to);
    }

    private static async Task SendHeldAsync(Socket to, List<byte[]> held, Task ready, CancellationToken ct)
    {
        if (held.Count == 0)
        {
            return;
        }

        await ready;
        foreach (var chunk in held)
        {
            await SendAllAsync(to, chunk, ct);
        }

        held.Clear();
    }

    private static async Task SendAllAsync(Socket to, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await to.SendAsync(bytes[sent..], SocketFlags.None, ct);
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
