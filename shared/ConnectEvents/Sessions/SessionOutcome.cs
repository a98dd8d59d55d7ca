namespace ConnectEvents.Sessions;

/// <summary>The answer of a session or token operation: a success value, or a problem to answer with (status, title, field errors, Connect error ids).</summary>
/// <typeparam name="T">The success value.</typeparam>
public sealed record SessionOutcome<T>(T? Value, SessionProblem? Problem);
