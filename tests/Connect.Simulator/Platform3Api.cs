using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Connect.Simulator;

/// <summary>
/// The second platform's v3 Inquiry API, on <c>/v3/payments?merchantId=…&amp;reference=…</c>: Bearer access token
/// checked (401 without one, 403 for a wrong one), payments seeded with a result code, scripted failures. Admin on
/// <c>/admin/v3/…</c> (loopback only): POST payments, POST faults, GET requests, POST reset.
/// </summary>
public static class Platform3Api
{
    /// <summary>The access token accepted unless <c>Simulator:Platform3:AccessToken</c> says otherwise.</summary>
    public const string DefaultAccessToken = "sim-v3-access-token";

    /// <summary>Maps the API and its admin endpoints onto <paramref name="app"/> with a state of their own.</summary>
    public static void MapPlatform3(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var state = new Platform3State(app.Configuration["Simulator:Platform3:AccessToken"] is { Length: > 0 } token ? token : DefaultAccessToken);
        app.MapGet("/v3/payments", (HttpRequest request) => state.Inquire(request));

        var admin = app.MapGroup("/admin/v3").AddEndpointFilter((context, next) =>
            context.HttpContext.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote)
                ? ValueTask.FromResult<object?>(Results.StatusCode(StatusCodes.Status403Forbidden))
                : next(context));
        admin.MapPost("/payments", async (HttpRequest request) => await ReadAsync(request) is { } body
            ? Reply(StatusCodes.Status201Created, state.Seed(body))
            : Results.BadRequest());
        admin.MapPost("/faults", async (HttpRequest request) => await ReadAsync(request) is { } body
            ? Reply(StatusCodes.Status201Created, state.Script(body))
            : Results.BadRequest());
        admin.MapGet("/requests", () => Reply(StatusCodes.Status200OK, state.Log()));
        admin.MapPost("/reset", () =>
        {
            state.Reset();
            return Results.NoContent();
        });
    }

    private static async Task<JsonObject?> ReadAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static IResult Reply(int status, JsonNode body) => Results.Content(body.ToJsonString(), "application/json", statusCode: status);

    /// <summary>Payments, scripted faults and the request log of the v3 API.</summary>
    private sealed class Platform3State(string accessToken)
    {
        private readonly object _gate = new();
        private readonly Dictionary<(string Merchant, string Reference), JsonObject> _payments = [];
        private readonly List<(string? Reference, int Status, int Times)> _faults = [];
        private readonly List<JsonObject> _requests = [];

        public IResult Inquire(HttpRequest request)
        {
            var merchant = request.Query["merchantId"].ToString();
            var reference = request.Query["reference"].ToString();
            var authorization = request.Headers.Authorization.ToString();
            var (status, body) = Answer(authorization, merchant, reference);
            lock (_gate)
            {
                // The token itself is never recorded: only whether one came.
                _requests.Add(new JsonObject
                {
                    ["method"] = request.Method,
                    ["merchantId"] = merchant,
                    ["reference"] = reference,
                    ["bearer"] = authorization.StartsWith("Bearer ", StringComparison.Ordinal),
                    ["responseStatus"] = status,
                });
            }

            return Reply(status, body);
        }

        private (int Status, JsonObject Body) Answer(string authorization, string merchant, string reference)
        {
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return (StatusCodes.Status401Unauthorized, Result(null, "invalid authorization header provided"));
            }

            if (!string.Equals(authorization["Bearer ".Length..], accessToken, StringComparison.Ordinal))
            {
                return (StatusCodes.Status403Forbidden, Result(null, "invalid access token provided"));
            }

            lock (_gate)
            {
                var fault = _faults.FindIndex(f => f.Reference is null || f.Reference == reference);
                if (fault >= 0)
                {
                    var (r, status, times) = _faults[fault];
                    _faults[fault] = (r, status, times - 1);
                    _faults.RemoveAll(f => f.Times <= 0);
                    return (status, Result(null, "scripted failure"));
                }

                return _payments.TryGetValue((merchant, reference), out var payment)
                    ? (payment["httpStatus"]!.GetValue<int>(), (JsonObject)payment["body"]!.DeepClone())
                    : (StatusCodes.Status404NotFound, Result(null, $"no payment with reference {reference}"));
            }
        }

        /// <summary>Seeds <c>{merchantId, reference, resultCode, description?, paymentId?, amount?, currency?, httpStatus?}</c>.</summary>
        public JsonObject Seed(JsonObject body)
        {
            var merchant = body["merchantId"]?.GetValue<string>() ?? "";
            var reference = body["reference"]?.GetValue<string>() ?? "";
            var code = body["resultCode"]?.GetValue<string>() ?? "000.000.000";
            var payment = Result(code, body["description"]?.GetValue<string>() ?? "scripted result");
            payment["id"] = body["paymentId"]?.GetValue<string>() ?? "v3-" + Guid.NewGuid().ToString("N")[..16];
            payment["merchantTransactionId"] = reference;
            payment["amount"] = body["amount"]?.GetValue<string>() ?? "10.00";
            payment["currency"] = body["currency"]?.GetValue<string>() ?? "EUR";
            lock (_gate)
            {
                _payments[(merchant, reference)] = new JsonObject
                {
                    ["httpStatus"] = body["httpStatus"]?.GetValue<int>() ?? StatusCodes.Status200OK,
                    ["body"] = payment,
                };
            }

            return payment;
        }

        /// <summary>Scripts <c>{status, times?, reference?}</c>: the next <c>times</c> inquiries (for that reference, or any) answer <c>status</c>.</summary>
        public JsonObject Script(JsonObject body)
        {
            var status = body["status"]?.GetValue<int>() ?? StatusCodes.Status503ServiceUnavailable;
            var times = body["times"]?.GetValue<int>() ?? 1;
            var reference = body["reference"]?.GetValue<string>();
            lock (_gate)
            {
                _faults.Add((reference, status, times));
            }

            return new JsonObject { ["status"] = status, ["times"] = times, ["reference"] = reference };
        }

        public JsonArray Log()
        {
            lock (_gate)
            {
                return new JsonArray([.. _requests.Select(r => r.DeepClone())]);
            }
        }

        public void Reset()
        {
            lock (_gate)
            {
                _payments.Clear();
                _faults.Clear();
                _requests.Clear();
            }
        }

        private static JsonObject Result(string? code, string description) => new()
        {
            ["result"] = code is null ? new JsonObject { ["description"] = description } : new JsonObject { ["code"] = code, ["description"] = description },
        };
    }
}
