namespace Connect.Simulator;

/// <summary>A response the simulator sends (and stores for idempotent replays).</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Body">Body text, or null for none (204).</param>
/// <param name="ContentType">Content-Type of the body.</param>
/// <param name="Headers">Extra response headers (Location, Retry-After, the idempotence timestamp).</param>
internal sealed record ApiResponse(int Status, string? Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null)
{
    public ApiResponse WithHeader(string name, string value)
    {
        var headers = new Dictionary<string, string>(Headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)
        {
            [name] = value,
        };
        return this with { Headers = headers };
    }
}
