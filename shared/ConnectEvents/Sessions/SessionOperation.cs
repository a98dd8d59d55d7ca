namespace ConnectEvents.Sessions;

/// <summary>The session and token operations that call Connect.</summary>
public enum SessionOperation
{
    /// <summary>Create a Client API session.</summary>
    CreateSession,

    /// <summary>Delete a stored token.</summary>
    DeleteToken,
}
