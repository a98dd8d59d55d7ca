using ConnectEvents.ConnectApi;
using ConnectEvents.Failures;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Sessions;

/// <summary>
/// Connect's answers (the response-codes seed) seen from our caller's side: what the caller got wrong is a 4xx, what
/// will pass is a 503 with Retry-After, what is ours to fix (our credentials refused, an answer we cannot use) is a 502.
/// </summary>
public static class ConnectFailureMap
{
    private static readonly Row[] Rows =
    [
        new(static (e, _) => e.Kind == ConnectErrorKind.Communication, new(503, LogLevel.Warning, "Connect could not be reached in time")),
        new(static (e, _) => e.Kind == ConnectErrorKind.Idempotence, new(503, LogLevel.Warning, "An earlier request with the same idempotence key is still running at Connect")),
        new(static (e, _) => e.StatusCode is 401 or 403 or 407, new(502, LogLevel.Error, "Connect refused our credentials or merchant")),
        new(static (e, op) => op == SessionOperation.DeleteToken && e.StatusCode is 404 or 410, new(204, LogLevel.Information, "The token was already gone at Connect")),
        new(static (e, _) => e.StatusCode == 400, new(400, LogLevel.Warning, "Connect found the request invalid")),
        new(static (e, _) => e.StatusCode == 409, new(409, LogLevel.Warning, "Connect reported a conflict")),
        new(static (e, _) => FailureClassifier.IsTransient(e), new(503, LogLevel.Warning, "Connect is unavailable")),
        new(static (_, _) => true, new(502, LogLevel.Error, "Connect answered in a way we cannot use")),
    ];

    /// <summary>The answer for <paramref name="failure"/> of <paramref name="operation"/>: the first row of the table that matches.</summary>
    public static ConnectFailureAnswer Map(ConnectApiException failure, SessionOperation operation)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return Rows.First(r => r.When(failure, operation)).Answer;
    }

    private sealed record Row(Func<ConnectApiException, SessionOperation, bool> When, ConnectFailureAnswer Answer);
}
