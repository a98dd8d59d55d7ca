using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Sessions;

namespace ConnectEvents.Functions.Sessions;

/// <summary>The <c>CreateClientSession</c> function (merchant backend) and the <c>CustomerTokens</c> function (operators).</summary>
public static class SessionEndpoints
{
    /// <summary>The session route as the host forwards it and standalone mode serves it.</summary>
    public const string SessionsRoute = "/api/sessions";

    /// <summary>The operators' token routes.</summary>
    public const string TokensRoute = "/api/customers/{customerReference}/tokens";

    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Registers the session service (the Connect client and token vault come with processing).</summary>
    public static WebApplicationBuilder AddClientSessions(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ClientSessionService>();
        return builder;
    }

    /// <summary>Maps POST <see cref="SessionsRoute"/>, GET <see cref="TokensRoute"/> and DELETE <see cref="TokensRoute"/>/{tokenId}.</summary>
    public static IEndpointRouteBuilder MapClientSessions(this IEndpointRouteBuilder app)
    {
        app.MapPost(SessionsRoute, CreateAsync);
        app.MapGet(TokensRoute, async (HttpContext context, string customerReference, string? merchantId, ClientSessionService service) =>
        {
            var outcome = await service.ListAsync(merchantId, customerReference, context.RequestAborted);
            await WriteAsync(context, outcome.Problem, outcome.Value, SessionJsonContext.Default.IReadOnlyListStoredTokenView);
        });
        app.MapDelete(TokensRoute + "/{tokenId}", async (HttpContext context, string customerReference, string tokenId, string? merchantId, ClientSessionService service) =>
        {
            var outcome = await service.DeleteAsync(merchantId, customerReference, tokenId, context.RequestAborted);
            if (outcome.Problem is not null)
            {
                await WriteProblemAsync(context, outcome.Problem);
                return;
            }

            context.Response.StatusCode = outcome.Value ? StatusCodes.Status204NoContent : StatusCodes.Status404NotFound;
        });
        return app;
    }

    private static async Task CreateAsync(HttpContext context, ClientSessionService service)
    {
        CreateClientSessionRequest? request;
        using (var body = await BoundedBody.ReadAsync(context, MaxBodyBytes, context.RequestAborted))
        {
            if (body.IsTooLarge)
            {
                await WriteProblemAsync(context, new SessionProblem(413, $"The body is over {MaxBodyBytes} bytes."));
                return;
            }

            try
            {
                request = JsonSerializer.Deserialize(body.Bytes.Span, SessionJsonContext.Default.CreateClientSessionRequest);
            }
            catch (JsonException ex)
            {
                var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
                await WriteProblemAsync(context, new SessionProblem(400, "The session request is not valid JSON of the expected shape.",
                    new Dictionary<string, string[]> { [field] = [ex.Path is null ? "Not valid JSON." : "Wrong type or malformed value."] }));
                return;
            }
        }

        var outcome = await service.CreateAsync(request, context.RequestAborted);
        await WriteAsync(context, outcome.Problem, outcome.Value, SessionJsonContext.Default.CreateClientSessionResponse);
    }

    private static Task WriteAsync<T>(HttpContext context, SessionProblem? problem, T? value, JsonTypeInfo<T> type)
    {
        if (problem is not null)
        {
            return WriteProblemAsync(context, problem);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value!, type, context.RequestAborted);
    }

    private static Task WriteProblemAsync(HttpContext context, SessionProblem problem)
    {
        context.Response.StatusCode = problem.Status;
        context.Response.ContentType = "application/problem+json";
        if (problem.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return JsonSerializer.SerializeAsync(context.Response.Body, problem, SessionJsonContext.Default.SessionProblem, context.RequestAborted);
    }
}
