using System.Buffers;
using System.Runtime.CompilerServices;
using ConnectEvents.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace ConnectEvents.Functions.Hosting;

/// <summary>
/// A request body read whole into a pooled buffer, or the verdict that it is over the endpoint's limit or does not fit the
/// process's <see cref="RequestBodyBudget"/>. Dispose it exactly once, after the last use of <see cref="Bytes"/>, to give
/// the buffer back to the pool and its reservation back to the budget.
/// </summary>
internal readonly struct BoundedBody : IDisposable
{
    /// <summary>The first buffer's size: a whole typical Connect event, and all an unverified caller gets before sending more.</summary>
    internal const int InitialBuffer = 4096;

    // A failure value of its own: not an HTTP status Kestrel gives up with, so FailedStatus stays 0 for it.
    private const int OverBudget = -1;

    private readonly byte[]? _buffer;
    private readonly int _length;
    private readonly int _failure;
    private readonly RequestBodyBudget? _budget;
    private readonly long _reserved;

    private BoundedBody(byte[]? buffer, int length, int failure = 0, RequestBodyBudget? budget = null, long reserved = 0)
    {
        _buffer = buffer;
        _length = length;
        _failure = failure;
        _budget = budget;
        _reserved = reserved;
    }

    /// <summary>True when the body (declared or as streamed) is over the limit; <see cref="Bytes"/> is then empty.</summary>
    public bool IsTooLarge => _buffer is null && _failure == 0;

    /// <summary>
    /// True when the body's declared length (or the limit, for a chunked body) did not fit the process's budget: nothing
    /// was read, and the caller answers 503 with Retry-After.
    /// </summary>
    public bool IsOverBudget => _failure == OverBudget;

    /// <summary>
    /// The status Kestrel gave up on the upload with (408 for a body sent too slowly, 400 for a malformed one), or 0.
    /// The caller answers it instead of letting the exception surface as an unhandled error.
    /// </summary>
    public int FailedStatus => Math.Max(_failure, 0);

    /// <summary>The size of the buffer holding the body (for tests of how memory follows the bytes received).</summary>
    internal int Capacity => _buffer?.Length ?? 0;

    /// <summary>The body; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => _buffer is null ? default : _buffer.AsMemory(0, _length);

    /// <summary>
    /// Reads the request body of <paramref name="context"/> up to <paramref name="limit"/> bytes. A declared Content-Length
    /// over the limit is refused before reading; a chunked body is refused as soon as it passes the limit. Kestrel's own
    /// cap is moved to just past the limit so that ours is the one that decides, and its 413 is mapped to too-large.
    /// Before the first byte is read, the declared length (the limit when chunked) is reserved in <paramref name="budget"/>;
    /// when it does not fit, nothing is read (<see cref="IsOverBudget"/>). The reservation is held until
    /// <see cref="Dispose"/>, or given back here on every path that returns no body or throws.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // the webhook's hot path: no state-machine box per request
    public static async ValueTask<BoundedBody> ReadAsync(HttpContext context, int limit, RequestBodyBudget budget, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentNullException.ThrowIfNull(budget);
        var request = context.Request;
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return default;
        }

        var reserved = declared ?? limit;
        if (!budget.TryReserve(reserved))
        {
            return new BoundedBody(null, 0, OverBudget);
        }

        try
        {
            var body = await ReadReservedAsync(context, limit, declared, cancellationToken);
            if (body._buffer is null)
            {
                budget.Release(reserved);
                return body;
            }

            return new BoundedBody(body._buffer, body._length, 0, budget, reserved);
        }
        catch
        {
            // Cancelled or the connection broke mid-body: the reservation goes back with the buffer.
            budget.Release(reserved);
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<BoundedBody> ReadReservedAsync(HttpContext context, int limit, long? declared, CancellationToken cancellationToken)
    {
        var request = context.Request;

        // Only settable before the body is first read; one byte over our limit lets us see an oversize chunked body ourselves.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1L;
        }

        // Memory follows the bytes that actually arrive, never the length a caller announces: start small (one byte
        // past a small declared length, so the read that sees the end needs no bigger buffer) and double as data comes.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared is { } n ? n + 1 : InitialBuffer, Math.Min(InitialBuffer, limit + 1L)));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    // length <= limit here (checked after every read), so the new buffer is always bigger.
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                }
                catch (BadHttpRequestException ex)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? default : new BoundedBody(null, 0, ex.StatusCode);
                }

                if (read == 0)
                {
                    return new BoundedBody(buffer, length);
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return default;
                }
            }
        }
        catch
        {
            // Cancelled or the connection broke mid-body: the buffer goes back, the exception goes on.
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Returns the buffer to the pool and the reservation to the budget.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _budget?.Release(_reserved);
    }
}
