using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Sessions;

namespace ConnectEvents.Functions.Sessions;

/// <summary>Turns a session or token outcome into the HTTP answer: the value as JSON, or the problem as problem+json.</summary>
internal static class SessionResponses
{
    /// <summary>200 with the value, or the outcome's problem.</summary>
    public static Response From<T>(SessionOutcome<T> outcome, JsonTypeInfo<T> type) =>
        outcome.Problem is { } problem ? Problem(problem) : Response.Json(StatusCodes.Status200OK, outcome.Value!, type);

    /// <summary>The problem as <c>application/problem+json</c>, with Retry-After when it has one.</summary>
    public static Response Problem(SessionProblem problem)
    {
        var response = Response.Json(problem.Status, problem, SessionJsonContext.Default.SessionProblem, "application/problem+json");
        return problem.RetryAfterSeconds is { } seconds
            ? response.WithHeader("Retry-After", seconds.ToString(CultureInfo.InvariantCulture))
            : response;
    }
}
