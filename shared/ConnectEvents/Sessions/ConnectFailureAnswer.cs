using Microsoft.Extensions.Logging;

namespace ConnectEvents.Sessions;

/// <summary>How a failed Connect call is answered to our caller, and how loudly it is logged.</summary>
/// <param name="Status">The HTTP status to answer (204: the delete is done, the token was already gone at Connect).</param>
/// <param name="Level">The log level: Error when the fault is ours (credentials, configuration, an answer we cannot use).</param>
/// <param name="Reason">One line for the problem title and the log.</param>
public sealed record ConnectFailureAnswer(int Status, LogLevel Level, string Reason)
{
    /// <summary>True when the caller gets a Retry-After (the failure is expected to pass).</summary>
    public bool RetryLater => Status == 503;

    /// <summary>True when Connect's error ids and codes help the caller (they are about the caller's request); never the messages.</summary>
    public bool ShowsConnectErrors => Status is 400 or 409;
}
