using System.Net;
using System.Text.Json;

namespace ConnectEvents.ConnectApi;

/// <summary>
/// A Connect call that did not succeed: what Connect answered (kind, status, errorId, errors). Whether it is worth another
/// try is <see cref="Failures.FailureClassifier"/>'s to say, for every caller and for the client's own retries.
/// </summary>
public sealed class ConnectApiException : Exception
{
    /// <summary>Creates a classified exception.</summary>
    public ConnectApiException(ConnectErrorKind kind, int? statusCode, string message, string? errorId = null, IReadOnlyList<ConnectError>? errors = null,
        string? idempotenceKey = null, long? idempotenceRequestTimestamp = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        ErrorId = errorId;
        Errors = errors ?? [];
        IdempotenceKey = idempotenceKey;
        IdempotenceRequestTimestamp = idempotenceRequestTimestamp;
    }

    /// <summary>Creates an unclassified exception (for serializers and tooling).</summary>
    public ConnectApiException() : this(ConnectErrorKind.Unknown, null, "The Connect call failed.") { }

    /// <summary>Creates an unclassified exception with a message.</summary>
    public ConnectApiException(string message) : this(ConnectErrorKind.Unknown, null, message) { }

    /// <summary>Creates an unclassified exception with a message and cause.</summary>
    public ConnectApiException(string message, Exception innerException) : this(ConnectErrorKind.Unknown, null, message, innerException: innerException) { }

    /// <summary>The classification.</summary>
    public ConnectErrorKind Kind { get; }

    /// <summary>The HTTP status, or null when no response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>The platform's errorId for this failure, when the body had one.</summary>
    public string? ErrorId { get; }

    /// <summary>The errors list of the body (empty when the body had none or was not JSON).</summary>
    public IReadOnlyList<ConnectError> Errors { get; }

    /// <summary>The idempotence key the call carried, if any.</summary>
    public string? IdempotenceKey { get; }

    /// <summary>For idempotence conflicts: when the first request with this key was received (ms since the epoch).</summary>
    public long? IdempotenceRequestTimestamp { get; }

    /// <summary>The error codes, comma separated, for logs.</summary>
    public string ErrorCodes => string.Join(',', Errors.Select(e => e.Code));

    /// <summary>Classifies an HTTP error response.</summary>
    public static ConnectApiException FromResponse(HttpStatusCode status, string? body, string? idempotenceKey, long? idempotenceRequestTimestamp)
    {
        var code = (int)status;
        string? errorId = null;
        var errors = new List<ConnectError>();
        var parsed = false;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    parsed = true;
                    var root = doc.RootElement;
                    errorId = GetString(root, "errorId");
                    if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var e in list.EnumerateArray())
                        {
                            if (e.ValueKind == JsonValueKind.Object)
                            {
                                errors.Add(new ConnectError(GetString(e, "code"), GetString(e, "id"), GetString(e, "category"),
                                    e.TryGetProperty("httpStatusCode", out var hs) && hs.TryGetInt32(out var h) ? h : null,
                                    GetString(e, "message"), GetString(e, "propertyName"), GetString(e, "requestId")));
                            }
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON (a proxy page, an HTML error): the kind follows from the status alone, and the message says so.
            }
        }

        var kind = code switch
        {
            400 => ConnectErrorKind.Validation,
            402 => ConnectErrorKind.Declined,
            403 => ConnectErrorKind.Authorization,
            409 when idempotenceKey is not null && errors.Count == 1 && errors[0].Code == "1409" => ConnectErrorKind.Idempotence,
            404 or 409 or 410 => ConnectErrorKind.Reference,
            500 or 502 or 503 => ConnectErrorKind.Platform,
            _ => ConnectErrorKind.Unknown,
        };
        var detail = parsed
            ? $"errorId {errorId ?? "(none)"}, codes [{string.Join(',', errors.Select(e => e.Code))}]"
            : "the body is not a Connect error response";
        return new ConnectApiException(kind, code, $"Connect answered {code} ({kind}): {detail}", errorId, errors, idempotenceKey, idempotenceRequestTimestamp);
    }

    /// <summary>Classifies a call that got no usable response.</summary>
    public static ConnectApiException Communication(string what, Exception cause, string? idempotenceKey) =>
        new(ConnectErrorKind.Communication, null, $"Connect could not be reached: {what}", innerException: cause, idempotenceKey: idempotenceKey);

    private static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
}
