namespace ConnectEvents.Sessions;

/// <summary>A problem answer: HTTP status, a title, the fields at fault, and Connect's error ids and codes (never its messages).</summary>
/// <param name="Status">The HTTP status to answer with.</param>
/// <param name="Title">One line saying what went wrong.</param>
/// <param name="Errors">Field → problems, for validation failures.</param>
/// <param name="ConnectErrorId">Connect's errorId, when Connect refused.</param>
/// <param name="ConnectErrors">Connect's error codes and ids (and the property at fault), without messages.</param>
/// <param name="RetryAfterSeconds">For 503: when to try again.</param>
public sealed record SessionProblem(int Status, string Title, IReadOnlyDictionary<string, string[]>? Errors = null, string? ConnectErrorId = null,
    IReadOnlyList<ConnectErrorView>? ConnectErrors = null, int? RetryAfterSeconds = null);
