namespace ConnectEvents.ConnectApi;

/// <summary>One entry of the errors list of a Connect error response.</summary>
/// <param name="Code">The error code (for example 1409).</param>
/// <param name="Id">The error id (a stable symbolic name).</param>
/// <param name="Category">The error category.</param>
/// <param name="HttpStatusCode">The HTTP status the platform associates with the error.</param>
/// <param name="Message">A developer message; not for end users.</param>
/// <param name="PropertyName">The request property at fault, when there is one.</param>
/// <param name="RequestId">The platform's request id.</param>
public sealed record ConnectError(string? Code, string? Id, string? Category, int? HttpStatusCode, string? Message, string? PropertyName, string? RequestId);
