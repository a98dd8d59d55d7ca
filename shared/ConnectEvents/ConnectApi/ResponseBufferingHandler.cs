namespace ConnectEvents.ConnectApi;

/// <summary>
/// Reads each attempt's answer whole, inside the attempt: a body that stalls then meets the attempt timeout and one that
/// breaks off fails the attempt, so both are retried like any other transient failure, and the retry and circuit-breaker
/// predicates can read an error body without taking it from the client.
/// </summary>
/// <param name="maxBytes">The largest answer read; a longer one fails the attempt as an answer that could not be read.</param>
internal sealed class ResponseBufferingHandler(long maxBytes) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await response.Content.LoadIntoBufferAsync(maxBytes, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            // The attempt failed: its half-read answer goes with it (the connection is not reused).
            response.Dispose();
            throw;
        }
    }
}
