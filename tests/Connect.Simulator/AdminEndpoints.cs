using System.Text.Json;
using System.Text.Json.Nodes;

namespace Connect.Simulator;

/// <summary>
/// Unsigned admin endpoints for standalone runs (loopback callers only): seed payments and tokens, read the request
/// log, inject faults, reset. Tests hosting the simulator in-process use <see cref="SimulatorState"/> directly.
/// </summary>
internal static class AdminEndpoints
{
    public static void MapSimulatorAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(async (context, next) =>
        {
            var remote = context.HttpContext.Connection.RemoteIpAddress;
            return remote is null || System.Net.IPAddress.IsLoopback(remote)
                ? await next(context)
                : Error(StatusCodes.Status403Forbidden, "the admin endpoints answer loopback callers only");
        });

        admin.MapPost("/payments", SeedPaymentAsync);
        admin.MapGet("/payments/{merchantId}/{paymentId}", (string merchantId, string paymentId, SimulatorState state) =>
            state.GetPayment(merchantId, paymentId) is { } payment
                ? Json(StatusCodes.Status200OK, PaymentWithCaptures(payment))
                : Error(StatusCodes.Status404NotFound, $"payment {paymentId} of merchant {merchantId} is not known"));
        admin.MapPost("/tokens", SeedTokenAsync);
        admin.MapGet("/requests", (SimulatorState state) => Json(StatusCodes.Status200OK, new JsonArray([.. state.Requests.Select(ToJson)])));
        admin.MapPost("/faults", InjectFaultAsync);
        admin.MapPost("/reset", (SimulatorState state) =>
        {
            state.Reset();
            return Results.NoContent();
        });
    }

    private static Task<IResult> SeedPaymentAsync(HttpRequest request, SimulatorState state) =>
        WithBodyAsync(request, body =>
        {
            var payment = state.SeedPayment(
                Required(body, "merchantId"),
                Required(body, "paymentId"),
                Optional(body, "status", "PENDING_CAPTURE"),
                body["amount"]?.GetValue<long>() ?? 1000,
                Optional(body, "currency", "EUR"),
                body["paymentProductId"]?.GetValue<int>() ?? 1,
                body.ContainsKey("cardNumber") ? body["cardNumber"]?.GetValue<string>() : "4567350000427977",
                body["isAuthorized"]?.GetValue<bool>() ?? true,
                body["merchantReference"]?.GetValue<string>());
            return Json(StatusCodes.Status201Created, PaymentWithCaptures(payment));
        });

    private static Task<IResult> SeedTokenAsync(HttpRequest request, SimulatorState state) =>
        WithBodyAsync(request, body =>
        {
            var merchantId = Required(body, "merchantId");
            var tokenId = Required(body, "tokenId");
            state.SeedToken(merchantId, tokenId, body["paymentProductId"]?.GetValue<int>() ?? 1);
            return Json(StatusCodes.Status201Created, ConnectJson.Token(state.GetToken(merchantId, tokenId)!));
        });

    private static Task<IResult> InjectFaultAsync(HttpRequest request, SimulatorState state) =>
        WithBodyAsync(request, body =>
        {
            var pathContains = Required(body, "pathContains");
            var kind = Required(body, "kind");
            var times = body["times"]?.GetValue<int>() ?? 1;
            Fault fault = kind switch
            {
                "status" => Fault.Status(
                    body["status"]?.GetValue<int>() ?? 503,
                    body["body"]?.GetValue<string>(),
                    body["retryAfterSeconds"] is { } seconds ? TimeSpan.FromSeconds(seconds.GetValue<double>()) : null),
                "delay" => Fault.Delay(TimeSpan.FromMilliseconds(body["delayMs"]?.GetValue<double>() ?? throw new ArgumentException("delay needs delayMs"))),
                "drop" => Fault.Drop(),
                "dropAfterProcessing" => Fault.DropAfterProcessing(),
                "nonJson" => Fault.NonJson(body["status"]?.GetValue<int>() ?? 502),
                _ => throw new ArgumentException($"kind '{kind}' is not one of status, delay, drop, dropAfterProcessing, nonJson"),
            };
            state.InjectFault(pathContains, fault, times);
            return Json(StatusCodes.Status201Created, new JsonObject { ["pathContains"] = pathContains, ["fault"] = fault.ToString(), ["times"] = times });
        });

    /// <summary>Parses the body as a JSON object and runs <paramref name="handle"/>; bad JSON or a bad field becomes a 400 naming it.</summary>
    private static async Task<IResult> WithBodyAsync(HttpRequest request, Func<JsonObject, IResult> handle)
    {
        var (body, error) = await ReadObjectAsync(request);
        if (body is null)
        {
            return error!;
        }

        try
        {
            return handle(body);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return Error(StatusCodes.Status400BadRequest, ex.Message);
        }
    }

    private static async Task<(JsonObject? Body, IResult? Error)> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return node is JsonObject body ? (body, null) : (null, Error(StatusCodes.Status400BadRequest, "the body must be a JSON object"));
        }
        catch (JsonException ex)
        {
            return (null, Error(StatusCodes.Status400BadRequest, "the body is not valid JSON: " + ex.Message));
        }
    }

    private static string Required(JsonObject body, string name) =>
        body[name]?.GetValue<string>() is { Length: > 0 } value ? value : throw new ArgumentException($"'{name}' is required");

    private static string Optional(JsonObject body, string name, string fallback) => body[name]?.GetValue<string>() ?? fallback;

    private static JsonObject PaymentWithCaptures(SimulatedPayment payment)
    {
        var json = ConnectJson.Payment(payment);
        json["captures"] = new JsonArray([.. payment.Captures.Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.CaptureId,
            ["amount"] = c.Amount,
            ["isFinal"] = c.IsFinal,
            ["time"] = c.Time,
        })]);
        return json;
    }

    private static JsonNode ToJson(RecordedRequest r) => new JsonObject
    {
        ["method"] = r.Method,
        ["path"] = r.Path,
        ["query"] = r.Query,
        ["headers"] = new JsonObject([.. r.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))]),
        ["body"] = r.Body,
        ["responseStatus"] = r.ResponseStatus,
        ["time"] = r.Time,
        ["authenticated"] = r.Authenticated,
        ["apiKeyId"] = r.ApiKeyId,
        ["authenticationFailure"] = r.AuthenticationFailure,
        ["idempotenceKey"] = r.IdempotenceKey,
        ["idempotentReplay"] = r.IdempotentReplay,
        ["fault"] = r.Fault,
    };

    private static IResult Json(int status, JsonNode body) =>
        Results.Content(body.ToJsonString(), "application/json", statusCode: status);

    private static IResult Error(int status, string message) =>
        Json(status, new JsonObject { ["error"] = message });
}
