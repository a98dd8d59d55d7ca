namespace ConnectEvents.Hosting;

/// <summary>
/// The bytes that request bodies being buffered whole may declare together, across every request of the process. A body
/// reserves its declared length (or the endpoint's limit when it is chunked) before its first byte is read and gives it
/// back when its buffer is released; a reservation that does not fit is refused, and the request answered 503 unread.
/// Large bodies may use only the budget less <see cref="ReserveBytes"/>, so small ones (webhooks) still fit while large
/// uploads fill the rest.
/// </summary>
public sealed class RequestBodyBudget
{
    /// <summary>The smallest budget sized from the heap: below it a single default-sized webhook body could not be taken.</summary>
    public const long MinimumBytes = 4L * 1024 * 1024;

    private long _used;

    /// <summary>Creates a budget of <paramref name="totalBytes"/>, of which <paramref name="reserveBytes"/> (capped at half) only bodies up to <paramref name="smallBodyBytes"/> may use.</summary>
    public RequestBodyBudget(long totalBytes, long smallBodyBytes, long reserveBytes, int retryAfterSeconds = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(retryAfterSeconds);
        RetryAfterSeconds = retryAfterSeconds;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(smallBodyBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(reserveBytes);
        TotalBytes = totalBytes;
        SmallBodyBytes = smallBodyBytes;
        ReserveBytes = Math.Min(reserveBytes, totalBytes / 2);
    }

    /// <summary>The budget from <paramref name="options"/>: its explicit bytes, or its fraction of <paramref name="heapLimitBytes"/> (at least <see cref="MinimumBytes"/>).</summary>
    public static RequestBodyBudget From(RequestBodyOptions options, long heapLimitBytes)
    {
        ArgumentNullException.ThrowIfNull(options);
        var total = options.BudgetBytes > 0 ? options.BudgetBytes : Math.Max(MinimumBytes, (long)(heapLimitBytes * options.BudgetFraction));
        return new RequestBodyBudget(total, options.SmallBodyBytes, options.SmallBodyReserveBytes, options.RetryAfterSeconds);
    }

    /// <summary>The Retry-After, in seconds, of a request refused for lack of budget.</summary>
    public int RetryAfterSeconds { get; }

    /// <summary>The error text of that refusal: what happened and what to do, without figures a caller could probe.</summary>
    public const string RefusalMessage = "The server is receiving too many request bodies at once; nothing was read. Retry after the Retry-After delay.";

    /// <summary>All the bytes bodies may hold together.</summary>
    public long TotalBytes { get; }

    /// <summary>The largest declared size that counts as small and may use the reserve.</summary>
    public long SmallBodyBytes { get; }

    /// <summary>The part of <see cref="TotalBytes"/> that only small bodies may use.</summary>
    public long ReserveBytes { get; }

    /// <summary>The bytes reserved now.</summary>
    public long UsedBytes => Volatile.Read(ref _used);

    /// <summary>
    /// Reserves <paramref name="bytes"/> when they fit (within <see cref="TotalBytes"/> for a small body, within the budget
    /// less the reserve for a larger one); on true the caller must <see cref="Release"/> the same amount exactly once.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes == 0)
        {
            return true;
        }

        var limit = bytes <= SmallBodyBytes ? TotalBytes : TotalBytes - ReserveBytes;
        var used = Volatile.Read(ref _used);
        while (true)
        {
            if (bytes > limit - used)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _used, used + bytes, used);
            if (seen == used)
            {
                return true;
            }

            used = seen;
        }
    }

    /// <summary>Gives back <paramref name="bytes"/> reserved by a successful <see cref="TryReserve"/>.</summary>
    /// <exception cref="InvalidOperationException">More is released than is reserved (a double release: a bug that would let the budget overflow).</exception>
    public void Release(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (Interlocked.Add(ref _used, -bytes) < 0)
        {
            Interlocked.Add(ref _used, bytes);
            throw new InvalidOperationException("The request body budget was released more than it was reserved.");
        }
    }
}
