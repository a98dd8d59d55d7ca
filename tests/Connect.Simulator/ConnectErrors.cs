using System.Globalization;
using System.Text.Json.Nodes;

namespace Connect.Simulator;

/// <summary>
/// Connect-style error responses (<c>{ "errorId", "errors": [ { code, id, category, httpStatusCode, message, propertyName?, requestId } ] }</c>).
/// The seeds give the shape and the code 1409 only; the other codes and ids are the simulator's own choice (listed in the README).
/// </summary>
internal static class ConnectErrors
{
    private const string ConnectPlatform = "CONNECT_PLATFORM_ERROR";
    private const string PaymentPlatform = "PAYMENT_PLATFORM_ERROR";
    private const string IoError = "IO_ERROR";
    private static long s_sequence;

    public static ApiResponse Unauthorized(string reason) =>
        Create(401, "9002", "MISSING_OR_INVALID_AUTHORIZATION", ConnectPlatform, "authorization failed: " + reason);

    public static ApiResponse UnknownPayment(string paymentId) =>
        Create(404, "1002", "UNKNOWN_PAYMENT_ID", ConnectPlatform, $"payment '{paymentId}' does not exist");

    public static ApiResponse UnknownToken(string tokenId) =>
        Create(404, "1003", "UNKNOWN_TOKEN_ID", ConnectPlatform, $"token '{tokenId}' does not exist");

    public static ApiResponse UnknownRoute(string method, string path) =>
        Create(404, "1001", "UNKNOWN_RESOURCE", ConnectPlatform, $"no resource {method} {path}");

    public static ApiResponse MethodNotAllowed(string method, IEnumerable<string> allowed)
    {
        var allow = string.Join(", ", allowed);
        return Create(405, "1006", "METHOD_NOT_ALLOWED", ConnectPlatform, $"{method} is not allowed here; allowed: {allow}")
            .WithHeader("Allow", allow);
    }

    public static ApiResponse InvalidPaymentStatus(string paymentId, string status) =>
        Create(400, "1004", "INVALID_PAYMENT_STATUS", PaymentPlatform, $"payment '{paymentId}' has status {status}; only PENDING_CAPTURE can be captured");

    public static ApiResponse AmountTooHigh(long requested, long capturable) =>
        Create(400, "1005", "AMOUNT_EXCEEDS_CAPTURABLE_AMOUNT", PaymentPlatform, $"amount {requested} exceeds the capturable amount {capturable}", "amount");

    public static ApiResponse CaptureRefused(string paymentId, string reason) =>
        Create(400, "1012", "CAPTURE_REFUSED", PaymentPlatform, $"capture of payment '{paymentId}' refused: {reason}");

    public static ApiResponse NotTokenizable(string paymentId) =>
        Create(400, "1008", "PAYMENT_NOT_TOKENIZABLE", PaymentPlatform, $"payment '{paymentId}' has no card to tokenize");

    public static ApiResponse InvalidJson(string detail) =>
        Create(400, "1010", "INVALID_JSON", ConnectPlatform, "the request body is not valid JSON: " + detail);

    public static ApiResponse InvalidValue(string propertyName, string expected) =>
        Create(400, "1011", "INVALID_PROPERTY_VALUE", ConnectPlatform, $"{propertyName} must be {expected}", propertyName);

    public static ApiResponse TooLarge(int maxBytes) =>
        Create(413, "1007", "REQUEST_TOO_LARGE", ConnectPlatform, $"the request body is larger than {maxBytes} bytes");

    public static ApiResponse DuplicateInProgress(string key) =>
        Create(409, "1409", "DUPLICATE_REQUEST_IN_PROGRESS", ConnectPlatform, $"a request with idempotence key '{key}' is still being processed");

    /// <summary>The error body of an injected status fault.</summary>
    public static ApiResponse Fault(int status) => status switch
    {
        500 => Create(500, "9000", "INTERNAL_SERVER_ERROR", IoError, "simulated internal server error"),
        502 => Create(502, "9001", "BAD_GATEWAY", IoError, "simulated downstream partner/acquirer failure"),
        503 => Create(503, "9004", "SERVICE_UNAVAILABLE", IoError, "simulated service unavailability"),
        _ => Create(status, status.ToString(CultureInfo.InvariantCulture), "SIMULATED_FAULT", ConnectPlatform, $"simulated HTTP {status}"),
    };

    public static ApiResponse Create(int status, string code, string id, string category, string message, string? propertyName = null)
    {
        var sequence = Interlocked.Increment(ref s_sequence);
        var requestId = sequence.ToString(CultureInfo.InvariantCulture);
        var error = new JsonObject
        {
            ["code"] = code,
            ["id"] = id,
            ["category"] = category,
            ["httpStatusCode"] = status,
            ["message"] = message,
        };
        if (propertyName is not null)
        {
            error["propertyName"] = propertyName;
        }

        error["requestId"] = requestId;
        var body = new JsonObject
        {
            ["errorId"] = $"{Guid.NewGuid():D}-{sequence:D8}",
            ["errors"] = new JsonArray(error),
        };
        return new ApiResponse(status, body.ToJsonString());
    }
}
