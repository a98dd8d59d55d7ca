using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;

namespace Connect.Simulator;

/// <summary>
/// Serves <c>/v1/{merchantId}/…</c>: authenticate, apply an injected fault, honour the idempotence key, run the
/// operation, answer, record, log one line. One handler rather than minimal-API routes because every call needs
/// the same envelope (raw target for the signature, the response kept for replays, the record written last).
/// </summary>
internal sealed partial class ConnectApi(SimulatorState state, V1HmacVerifier verifier, ILogger<ConnectApi> logger)
{
    internal const int MaxBodyBytes = 1024 * 1024;
    private const string IdempotenceKeyHeader = "X-GCS-Idempotence-Key";
    private const string IdempotenceTimestampHeader = "X-GCS-Idempotence-Request-Timestamp";

    private static readonly Route[] Routes =
    [
        new("GET", ["payments", "{}"], "get payment {0}", (api, call, args) => api.GetPayment(call.MerchantId, args[0])),
        new("POST", ["payments", "{}", "capture"], "capture for payment {0}", (api, call, args) => api.Capture(call, args[0])),
        new("POST", ["payments", "{}", "tokenize"], "tokenize payment {0}", (api, call, args) => api.Tokenize(call, args[0])),
        new("POST", ["tokens"], "create token", (api, call, _) => api.CreateToken(call)),
        new("POST", ["sessions"], "create session", (api, call, _) => api.CreateSession(call)),
        new("GET", ["tokens", "{}"], "get token {0}", (api, call, args) => api.GetToken(call.MerchantId, args[0])),
        new("DELETE", ["tokens", "{}"], "delete token {0}", (api, call, args) => api.DeleteToken(call.MerchantId, args[0])),
        new("GET", ["services", "testconnection"], "test connection", (_, _, _) => new ApiResponse(200, "{\"result\":\"OK\"}")),
    ];

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var arrived = state.Now;
        var rawTarget = RawTarget(context);
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : rawTarget[(queryStart + 1)..];
        var headers = CopyHeaders(request.Headers);
        var (body, tooLarge) = await ReadBodyAsync(request, context.RequestAborted);
        var auth = verifier.Verify(
            request.Method, headers.GetValueOrDefault("Authorization"), headers.GetValueOrDefault("Content-Type"),
            headers.GetValueOrDefault("Date"), headers, rawTarget);
        var idempotenceKey = headers.GetValueOrDefault(IdempotenceKeyHeader);
        var call = new Call(request.Method, MerchantOf(rawPath), body, $"{request.Scheme}://{request.Host}/");
        var match = Match(request.Method, rawPath);
        var operation = match.Describe ?? $"{request.Method} {rawPath}";

        Fault? fault = null;
        var abort = false;
        var replay = false;
        var status = 0;
        try
        {
            ApiResponse? response = null;
            if (!auth.Authenticated)
            {
                response = ConnectErrors.Unauthorized(auth.Failure ?? "rejected");
            }
            else if (tooLarge)
            {
                response = ConnectErrors.TooLarge(MaxBodyBytes);
            }
            else
            {
                fault = state.TakeFault(rawTarget);
                switch (fault)
                {
                    case Fault.StatusFault f:
                        response = f.Body is null ? ConnectErrors.Fault(f.StatusCode) : new ApiResponse(f.StatusCode, f.Body);
                        if (f.RetryAfter is { } retryAfter)
                        {
                            response = response.WithHeader("Retry-After", Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                        }

                        break;
                    case Fault.NonJsonFault f:
                        response = new ApiResponse(f.StatusCode, $"<html><head><title>{f.StatusCode}</title></head><body><h1>Gateway says {f.StatusCode}</h1></body></html>", "text/html");
                        break;
                    case Fault.DropFault { AfterProcessing: false }:
                        abort = true;
                        return;
                    case Fault.DelayFault f:
                        // Real time, not the configured TimeProvider: the point is to keep a real client waiting.
                        await Task.Delay(f.Duration, context.RequestAborted);
                        break;
                    default:
                        break;
                }

                if (response is null)
                {
                    (response, replay) = await ProcessAsync(call, match, idempotenceKey, arrived);
                }

                if (fault is Fault.DropFault { AfterProcessing: true })
                {
                    abort = true;
                    return;
                }

                if (fault is Fault.StallBodyFault stall)
                {
                    status = response.Status;
                    await StallBodyAsync(context, response, stall.Stall);
                    abort = true;
                    return;
                }
            }

            await WriteAsync(context, response);
            status = response.Status;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (e.g. its timeout during a delay fault): nothing was processed, nothing to answer.
        }
        finally
        {
            state.Record(new RecordedRequest(
                request.Method, rawPath, rawQuery, headers, body, status, arrived, auth.Authenticated, auth.ApiKeyId,
                auth.Failure, idempotenceKey, replay, fault?.ToString()));
            var detail = Detail(auth, fault);
            LogCall(request.Method, rawPath, status, operation, replay ? "yes" : "no", detail);
            if (abort)
            {
                // Dropped only once recorded: the client sees the reset after the request is countable, never before.
                context.Abort();
            }
        }
    }

    private async Task<(ApiResponse Response, bool Replay)> ProcessAsync(Call call, RouteMatch match, string? idempotenceKey, DateTimeOffset arrived)
    {
        if (!HttpMethods.IsPost(call.Method) || string.IsNullOrEmpty(idempotenceKey) || call.MerchantId.Length == 0)
        {
            return (Dispatch(call, match), false);
        }

        var (entry, isFirst) = state.ClaimIdempotenceKey(call.MerchantId, idempotenceKey, arrived);
        var timestamp = entry.TimestampMs.ToString(CultureInfo.InvariantCulture);
        if (!isFirst)
        {
            return entry.Response is { } stored
                ? (stored.WithHeader(IdempotenceTimestampHeader, timestamp), true)
                : (ConnectErrors.DuplicateInProgress(idempotenceKey).WithHeader(IdempotenceTimestampHeader, timestamp), false);
        }

        try
        {
            var delay = state.IdempotentProcessingDelay;
            if (delay > TimeSpan.Zero)
            {
                // Not tied to the client's cancellation: a server keeps processing after the caller gives up.
                await Task.Delay(delay, CancellationToken.None);
            }

            var response = Dispatch(call, match);
            entry.Complete(response);
            return (response, false);
        }
        catch
        {
            state.ReleaseIdempotenceKey(call.MerchantId, idempotenceKey, entry);
            throw;
        }
    }

    private ApiResponse Dispatch(Call call, RouteMatch match)
    {
        if (match.Route is { } route)
        {
            return route.Handler(this, call, match.Arguments);
        }

        return match.Allowed.Count > 0
            ? ConnectErrors.MethodNotAllowed(call.Method, match.Allowed)
            : ConnectErrors.UnknownRoute(call.Method, match.Path);
    }

    private ApiResponse GetPayment(string merchantId, string paymentId) =>
        state.GetPayment(merchantId, paymentId) is { } payment
            ? new ApiResponse(200, ConnectJson.Payment(payment).ToJsonString())
            : ConnectErrors.UnknownPayment(paymentId);

    private ApiResponse Capture(Call call, string paymentId)
    {
        if (!TryParseObject(call.Body, out var body, out var error))
        {
            return error;
        }

        long? amount = null;
        bool? isFinal = null;
        if (body["amount"] is { } amountNode)
        {
            if (!TryGetLong(amountNode, out var value) || value <= 0)
            {
                return ConnectErrors.InvalidValue("amount", "a positive whole number of cents");
            }

            amount = value;
        }

        if (body["isFinal"] is { } finalNode)
        {
            if (finalNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return ConnectErrors.InvalidValue("isFinal", "true or false");
            }

            isFinal = finalNode.GetValue<bool>();
        }

        var now = state.Now;
        return state.UpdatePayment<ApiResponse>(call.MerchantId, paymentId, payment =>
        {
            if (payment is null)
            {
                return (null, ConnectErrors.UnknownPayment(paymentId));
            }

            if (payment.Status != "PENDING_CAPTURE")
            {
                return (null, ConnectErrors.InvalidPaymentStatus(paymentId, payment.Status));
            }

            if (state.CaptureRefusal(call.MerchantId, paymentId) is { } refusal)
            {
                return (null, ConnectErrors.CaptureRefused(paymentId, refusal));
            }

            var capturable = payment.Amount - payment.AmountCaptured;
            var captureAmount = amount ?? capturable;
            if (captureAmount > capturable)
            {
                return (null, ConnectErrors.AmountTooHigh(captureAmount, capturable));
            }

            // No amount means full and final; a partial capture marked not final leaves the rest capturable.
            var final = isFinal ?? captureAmount == capturable;
            var capture = new SimulatedCapture($"{paymentId}-capture-{payment.Captures.Count + 1}", captureAmount, final, now);
            var updated = payment with
            {
                Status = final || captureAmount == capturable ? "CAPTURE_REQUESTED" : "PENDING_CAPTURE",
                Captures = [.. payment.Captures, capture],
            };
            return (updated, new ApiResponse(200, ConnectJson.Capture(updated, capture).ToJsonString()));
        });
    }

    private ApiResponse Tokenize(Call call, string paymentId)
    {
        if (!TryParseObject(call.Body, out var body, out var error))
        {
            return error;
        }

        string? alias = null;
        if (body["alias"] is { } aliasNode)
        {
            if (aliasNode.GetValueKind() != JsonValueKind.String)
            {
                return ConnectErrors.InvalidValue("alias", "a string");
            }

            alias = aliasNode.GetValue<string>();
        }

        var payment = state.GetPayment(call.MerchantId, paymentId);
        if (payment is null)
        {
            return ConnectErrors.UnknownPayment(paymentId);
        }

        if (payment.CardNumber is null)
        {
            return ConnectErrors.NotTokenizable(paymentId);
        }

        var (token, isNew) = state.Tokenize(payment, alias);
        return TokenCreated(call, token, isNew);
    }

    /// <summary>
    /// POST tokens with a CreateTokenRequest for a card: <c>{paymentProductId, card: {alias?, data: {cardWithoutCvv:
    /// {cardNumber, expiryDate (MMYY), cardholderName?}}}}</c>. Other kinds (eWallet, direct debit, encrypted input) are not simulated.
    /// </summary>
    private ApiResponse CreateToken(Call call)
    {
        if (!TryParseObject(call.Body, out var body, out var error))
        {
            return error;
        }

        if (body["paymentProductId"] is not JsonValue productNode || productNode.GetValueKind() != JsonValueKind.Number || !productNode.TryGetValue<int>(out var productId) || productId <= 0)
        {
            return ConnectErrors.InvalidValue("paymentProductId", "a payment product id (positive whole number)");
        }

        if (body["card"] is not JsonObject card)
        {
            return ConnectErrors.InvalidValue("card", "an object (only card tokens are simulated)");
        }

        var alias = Text(card["alias"]);
        if (card["alias"] is not null && alias is null)
        {
            return ConnectErrors.InvalidValue("card.alias", "a string");
        }

        var data = (card["data"] as JsonObject)?["cardWithoutCvv"] as JsonObject;
        var number = Text(data?["cardNumber"]);
        if (number is null || number.Length is < 12 or > 19 || !number.All(char.IsAsciiDigit))
        {
            return ConnectErrors.InvalidValue("card.data.cardWithoutCvv.cardNumber", "12 to 19 digits");
        }

        var expiry = Text(data?["expiryDate"]);
        if (expiry is not { Length: 4 } || !expiry.All(char.IsAsciiDigit) || int.Parse(expiry[..2], CultureInfo.InvariantCulture) is < 1 or > 12)
        {
            return ConnectErrors.InvalidValue("card.data.cardWithoutCvv.expiryDate", "MMYY");
        }

        var (token, isNew) = state.CreateToken(call.MerchantId, productId, number, expiry, alias);
        return TokenCreated(call, token, isNew);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>201 with Location for a new token, 200 for the merchant's existing token of the same card (Connect answers 201 for a created resource).</summary>
    private static ApiResponse TokenCreated(Call call, SimulatedToken token, bool isNew)
    {
        var response = new ApiResponse(isNew ? 201 : 200, ConnectJson.CreatedToken(token, isNew).ToJsonString());
        return isNew ? response.WithHeader("Location", $"{call.BaseUrl}v1/{Uri.EscapeDataString(call.MerchantId)}/tokens/{token.TokenId}") : response;
    }

    private ApiResponse CreateSession(Call call)
    {
        if (!TryParseObject(call.Body, out var body, out var error))
        {
            return error;
        }

        var requested = new List<string>();
        if (body["tokens"] is { } tokensNode)
        {
            if (tokensNode is not JsonArray tokens)
            {
                return ConnectErrors.InvalidValue("tokens", "an array of token ids");
            }

            for (var i = 0; i < tokens.Count; i++)
            {
                if (tokens[i] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                {
                    return ConnectErrors.InvalidValue($"tokens[{i}]", "a token id (string)");
                }

                requested.Add(value.GetValue<string>());
            }
        }

        if (body["paymentProductFilters"] is { } filters && filters is not JsonObject)
        {
            return ConnectErrors.InvalidValue("paymentProductFilters", "an object with restrictTo and/or exclude");
        }

        var invalid = new JsonArray();
        foreach (var token in requested.Distinct(StringComparer.Ordinal).Where(t => !state.HasToken(call.MerchantId, t)))
        {
            invalid.Add(token);
        }

        var session = new JsonObject
        {
            ["assetUrl"] = call.BaseUrl + "assets/",
            ["clientApiUrl"] = call.BaseUrl + "client",
            ["clientSessionId"] = Guid.NewGuid().ToString("N"),
            ["customerId"] = $"{call.MerchantId}-{Guid.NewGuid():N}",
            ["invalidTokens"] = invalid,
            ["region"] = "EU",
        };
        return new ApiResponse(200, session.ToJsonString());
    }

    private ApiResponse GetToken(string merchantId, string tokenId) =>
        state.GetToken(merchantId, tokenId) is { } token
            ? new ApiResponse(200, ConnectJson.Token(token).ToJsonString())
            : ConnectErrors.UnknownToken(tokenId);

    private ApiResponse DeleteToken(string merchantId, string tokenId) =>
        state.RemoveToken(merchantId, tokenId) ? new ApiResponse(204, null) : ConnectErrors.UnknownToken(tokenId);

    private static bool TryParseObject(string body, out JsonObject result, out ApiResponse error)
    {
        result = [];
        error = null!;
        if (string.IsNullOrWhiteSpace(body))
        {
            return true;
        }

        try
        {
            if (JsonNode.Parse(body) is JsonObject parsed)
            {
                result = parsed;
                return true;
            }

            error = ConnectErrors.InvalidJson("expected a JSON object");
            return false;
        }
        catch (JsonException ex)
        {
            error = ConnectErrors.InvalidJson($"line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}");
            return false;
        }
    }

    private static bool TryGetLong(JsonNode node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
    }

    private static RouteMatch Match(string method, string rawPath)
    {
        // Split the raw path first and decode each segment once, so an encoded '/' (%2F) stays inside its id.
        var segments = SegmentsOf(rawPath);
        var display = rawPath;
        if (segments.Length < 3 || segments[0] != "v1")
        {
            return new RouteMatch(null, [], [], null, display);
        }

        var rest = segments.AsSpan(2);
        var allowed = new List<string>();
        foreach (var route in Routes)
        {
            if (!route.TryMatch(rest, out var arguments))
            {
                continue;
            }

            if (string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                return new RouteMatch(route, arguments, [], string.Format(CultureInfo.InvariantCulture, route.Description, arguments), display);
            }

            allowed.Add(route.Method);
        }

        return new RouteMatch(null, [], allowed, null, display);
    }

    private static string MerchantOf(string rawPath)
    {
        var segments = SegmentsOf(rawPath);
        return segments.Length >= 2 && segments[0] == "v1" ? segments[1] : string.Empty;
    }

    private static string[] SegmentsOf(string rawPath) =>
        [.. rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString)];

    private static string RawTarget(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        }

        // Absolute-form targets (through a proxy): sign over the path and query only.
        return Uri.TryCreate(raw, UriKind.Absolute, out var absolute) && raw[0] != '/' ? absolute.PathAndQuery : raw;
    }

    private static Dictionary<string, string> CopyHeaders(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            copy[name] = string.Join(',', values.ToArray());
        }

        return copy;
    }

    private static async Task<(string Body, bool TooLarge)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (string.Empty, true);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (string.Empty, true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), false);
    }

    private static async Task WriteAsync(HttpContext context, ApiResponse response)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(response.Body, context.RequestAborted);
        }
    }

    // Headers and a declared length the body never reaches: the client is held inside its body read, not its headers.
    private static async Task StallBodyAsync(HttpContext context, ApiResponse response, TimeSpan stall)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(response.Body ?? "{}");
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        // Real time, as for a delay: the point is to keep a real client waiting.
        await Task.Delay(stall, context.RequestAborted);
    }

    private static string Detail(AuthenticationResult auth, Fault? fault) =>
        (auth.Failure, fault) switch
        {
            (not null, _) => $"; authentication failed: {auth.Failure}",
            (null, not null) => $"; injected fault: {fault}",
            _ => string.Empty,
        };

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} -> {Status}: {Operation}; idempotent replay: {Replay}{Detail}")]
    private partial void LogCall(string method, string path, int status, string operation, string replay, string detail);

    /// <summary>What an operation handler needs from the request.</summary>
    private sealed record Call(string Method, string MerchantId, string Body, string BaseUrl);

    private sealed record RouteMatch(Route? Route, string[] Arguments, List<string> Allowed, string? Describe, string Path);

    private sealed record Route(string Method, string[] Pattern, string Description, Func<ConnectApi, Call, string[], ApiResponse> Handler)
    {
        public bool TryMatch(ReadOnlySpan<string> segments, out string[] arguments)
        {
            arguments = [];
            if (segments.Length != Pattern.Length)
            {
                return false;
            }

            var found = new List<string>();
            for (var i = 0; i < Pattern.Length; i++)
            {
                if (Pattern[i] == "{}")
                {
                    found.Add(segments[i]);
                }
                else if (!string.Equals(Pattern[i], segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            arguments = [.. found];
            return true;
        }
    }
}
