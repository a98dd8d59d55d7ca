namespace Connect.Simulator;

/// <summary>A failure the simulator injects into the next matching calls (see <see cref="SimulatorState.InjectFault"/>).</summary>
public abstract record Fault
{
    private protected Fault()
    {
    }

    /// <summary>Answer <paramref name="statusCode"/> instead of processing: with a Connect error body (500/502/503 and other 4xx/5xx) or <paramref name="body"/> when given, and <c>Retry-After</c> when given.</summary>
    public static Fault Status(int statusCode, string? body = null, TimeSpan? retryAfter = null) => new StatusFault(statusCode, body, retryAfter);

    /// <summary>Wait <paramref name="delay"/>, then process the request normally (a slow response; the wait ends early if the client gives up, and then nothing is processed).</summary>
    public static Fault Delay(TimeSpan delay) => new DelayFault(delay);

    /// <summary>Abort the connection without any response and without processing the request.</summary>
    public static Fault Drop() => new DropFault(AfterProcessing: false);

    /// <summary>Process the request (state changes, idempotent response stored), then abort the connection: the client never learns the outcome.</summary>
    public static Fault DropAfterProcessing() => new DropFault(AfterProcessing: true);

    /// <summary>Answer <paramref name="statusCode"/> with an HTML page (<c>text/html</c>), as a proxy or load balancer would.</summary>
    public static Fault NonJson(int statusCode) => new NonJsonFault(statusCode);

    /// <summary>Process the request, send the status, headers and half the body, then stall for <paramref name="stall"/> and drop the connection.</summary>
    public static Fault StallBody(TimeSpan stall) => new StallBodyFault(stall);

    /// <summary>Answer with a status (and an optional body and Retry-After) instead of processing.</summary>
    /// <param name="StatusCode">The HTTP status to answer.</param>
    /// <param name="Body">The exact body to send (as <c>application/json</c>), or <c>null</c> for a Connect error body.</param>
    /// <param name="RetryAfter">Sent as <c>Retry-After</c> in whole seconds (rounded up) when given.</param>
    public sealed record StatusFault(int StatusCode, string? Body, TimeSpan? RetryAfter) : Fault
    {
        /// <summary>A short description for the request log.</summary>
        public override string ToString() =>
            $"status {StatusCode}{(Body is null ? string.Empty : " with a given body")}{(RetryAfter is { } r ? $", Retry-After {Math.Ceiling(r.TotalSeconds)} s" : string.Empty)}";
    }

    /// <summary>Wait, then process normally.</summary>
    /// <param name="Duration">How long to wait before processing.</param>
    public sealed record DelayFault(TimeSpan Duration) : Fault
    {
        /// <summary>A short description for the request log.</summary>
        public override string ToString() => $"delay {Duration.TotalMilliseconds} ms";
    }

    /// <summary>Abort the connection, before or after processing the request.</summary>
    /// <param name="AfterProcessing">Whether the request is processed before the connection is aborted.</param>
    public sealed record DropFault(bool AfterProcessing) : Fault
    {
        /// <summary>A short description for the request log.</summary>
        public override string ToString() => AfterProcessing ? "drop after processing" : "drop";
    }

    /// <summary>Answer with an HTML body.</summary>
    /// <param name="StatusCode">The HTTP status to answer.</param>
    public sealed record NonJsonFault(int StatusCode) : Fault
    {
        /// <summary>A short description for the request log.</summary>
        public override string ToString() => $"non-JSON {StatusCode}";
    }

    /// <summary>Send the headers and half the body of the real answer, then stall and drop the connection.</summary>
    /// <param name="Stall">How long to hold the connection open after the first half of the body.</param>
    public sealed record StallBodyFault(TimeSpan Stall) : Fault
    {
        /// <summary>A short description for the request log.</summary>
        public override string ToString() => $"body stalled {Stall.TotalMilliseconds} ms";
    }
}
