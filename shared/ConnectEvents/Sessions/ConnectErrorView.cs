namespace ConnectEvents.Sessions;

/// <summary>A Connect error as shown to the merchant's backend: code, id and property, not the message.</summary>
/// <param name="Code">The error code.</param>
/// <param name="Id">The error id.</param>
/// <param name="PropertyName">The request property at fault.</param>
public sealed record ConnectErrorView(string? Code, string? Id, string? PropertyName);
