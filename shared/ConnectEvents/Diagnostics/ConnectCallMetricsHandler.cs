using System.Diagnostics;

namespace ConnectEvents.Diagnostics;

/// <summary>
/// Times each Connect attempt (it sits inside the retry handler, so a retried call counts once per attempt) and records
/// it by operation and status. The operation is named from the method and the path's shape, never from its ids.
/// </summary>
/// <param name="metrics">Where the durations go.</param>
public sealed class ConnectCallMetricsHandler(ConnectEventsMetrics metrics) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            return response;
        }
        finally
        {
            metrics.ConnectCall(Operation(request.Method, request.RequestUri), status, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The operation of a Connect request and the route template its span is named by.</summary>
    public static (string Operation, string Template) Describe(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = Operation(request.Method, request.RequestUri);
        return (operation, operation switch
        {
            "get-payment" => "/v1/{merchantId}/payments/{paymentId}",
            "capture" => "/v1/{merchantId}/payments/{paymentId}/capture",
            "tokenize" => "/v1/{merchantId}/payments/{paymentId}/tokenize",
            "create-session" => "/v1/{merchantId}/sessions",
            "delete-token" => "/v1/{merchantId}/tokens/{tokenId}",
            _ => "/v1/{merchantId}/…",
        });
    }

    /// <summary>
    /// The operation of a Connect path <c>v1/{merchantId}/{resource}[/{id}[/{action}]]</c>: get-payment, capture,
    /// tokenize, create-session, delete-token, or other (the calls the client makes).
    /// </summary>
    public static string Operation(HttpMethod method, Uri? uri)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (uri is null)
        {
            return "other";
        }

        var path = (uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString).AsSpan().Trim('/');
        Span<Range> parts = stackalloc Range[7];
        var count = path.Split(parts, '/');
        if (count < 3 || !path[parts[0]].SequenceEqual("v1"))
        {
            return "other";
        }

        var resource = path[parts[2]];
        var action = count == 5 ? path[parts[4]] : [];
        return (method.Method, count) switch
        {
            ("GET", 4) when resource.SequenceEqual("payments") => "get-payment",
            ("POST", 5) when resource.SequenceEqual("payments") && action.SequenceEqual("capture") => "capture",
            ("POST", 5) when resource.SequenceEqual("payments") && action.SequenceEqual("tokenize") => "tokenize",
            ("POST", 3) when resource.SequenceEqual("sessions") => "create-session",
            ("DELETE", 4) when resource.SequenceEqual("tokens") => "delete-token",
            _ => "other",
        };
    }
}
