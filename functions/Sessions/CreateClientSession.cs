using ConnectEvents.Diagnostics;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Hosting;
using ConnectEvents.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.Functions.Sessions;

/// <summary>The <c>CreateClientSession</c> function: the merchant's backend asks for a Client API session for a customer.</summary>
/// <param name="platforms">Whether the Connect platform is on (off: 404).</param>
/// <param name="sessions">Creates the session with the customer's stored tokens.</param>
/// <param name="metrics">Counts each answer by outcome and status.</param>
/// <param name="budget">The process-wide budget the body must fit before it is read.</param>
public sealed class CreateClientSession(EnabledPlatforms platforms, ClientSessionService sessions, ConnectEventsMetrics metrics, RequestBodyBudget budget)
{
    /// <summary>The function name the host knows it by.</summary>
    public const string Name = nameof(CreateClientSession);

    /// <summary>The full path.</summary>
    public const string Route = "/api/sessions";

    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>POST <see cref="Route"/> with <c>{"customerReference": …}</c>; needs a function key.</summary>
    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "sessions")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var response = await CreateAsync(request, cancellationToken);
        metrics.SessionRequest(response.StatusCode);
        return response;
    }

    private async Task<Response> CreateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!platforms.Connect)
        {
            return Response.Text(StatusCodes.Status404NotFound, EnabledPlatforms.ConnectOffMessage);
        }

        CreateClientSessionRequest? body;
        using (var raw = await BoundedBody.ReadAsync(request.HttpContext, MaxBodyBytes, budget, cancellationToken))
        {
            if (raw.IsOverBudget)
            {
                return SessionResponses.Problem(new SessionProblem(StatusCodes.Status503ServiceUnavailable, RequestBodyBudget.RefusalMessage, RetryAfterSeconds: budget.RetryAfterSeconds));
            }

            if (raw.IsTooLarge)
            {
                return SessionResponses.Problem(new SessionProblem(413, $"The body is over {MaxBodyBytes} bytes."));
            }

            if (raw.FailedStatus != 0)
            {
                return SessionResponses.Problem(new SessionProblem(raw.FailedStatus, "The body was not received whole."));
            }

            if (ClientSessionValidation.Read(raw.Bytes.Span, out body) is { } problem)
            {
                return SessionResponses.Problem(problem);
            }
        }

        var outcome = await sessions.CreateAsync(body, cancellationToken);
        return SessionResponses.From(outcome, SessionJsonContext.Default.CreateClientSessionResponse);
    }
}
