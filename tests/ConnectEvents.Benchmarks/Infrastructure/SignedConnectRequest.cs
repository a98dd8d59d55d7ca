using System.Globalization;
using ConnectEvents.ConnectApi;

namespace ConnectEvents.Benchmarks.Infrastructure;

/// <summary>Connect requests built as a plain HttpClient caller would (a fresh Date per request), signed through the product's one v1HMAC path.</summary>
internal static class SignedConnectRequest
{
    /// <summary>
    /// A <paramref name="method"/> request to <paramref name="url"/> carrying <paramref name="gcsHeaders"/> (signed) and, when given,
    /// <paramref name="jsonBody"/> as <c>application/json</c>, with its v1HMAC Authorization header.
    /// </summary>
    public static HttpRequestMessage Create(HttpMethod method, Uri url, string apiKeyId, byte[] secret, IReadOnlyList<KeyValuePair<string, string>> gcsHeaders, byte[]? jsonBody = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(gcsHeaders);
        var request = new HttpRequestMessage(method, url);
        string? contentType = null;
        if (jsonBody is not null)
        {
            contentType = "application/json";
            request.Content = new ByteArrayContent(jsonBody);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("Date", date);
        foreach (var (name, value) in gcsHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization",
            V1HmacSignature.AuthorizationValue(secret, apiKeyId, method.Method, contentType, date, [.. gcsHeaders], url.AbsolutePath, url.Query));
        return request;
    }
}
