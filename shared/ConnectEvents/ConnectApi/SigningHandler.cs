using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace ConnectEvents.ConnectApi;

/// <summary>
/// Signs every attempt with v1HMAC: a fresh Date, X-GCS-ServerMetaInfo, and the Authorization header over exactly what
/// goes on the wire. Sits inside the resilience handler so each retry is signed anew. Refuses, before anything is sent,
/// a request whose header values hold a control character: headers added without validation would otherwise reach the
/// wire as written, and a CR or LF there ends the header and starts another.
/// </summary>
public sealed class SigningHandler : DelegatingHandler
{
    private readonly IOptionsMonitor<ConnectOptions> _options;
    private readonly TimeProvider _time;
    private (ConnectOptions Options, byte[] Secret, string MetaInfo)? _cache;

    // Filled and emptied synchronously before the request goes on, so one list per thread serves every request.
    [ThreadStatic]
    private static List<KeyValuePair<string, string>>? t_gcs;

    // What char.IsControl calls a control character: C0 (CR, LF, NUL, HTAB, ...), DEL and C1 (NEL, ...).
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7f, 0x21)).Select(static c => (char)c)));

    /// <summary>Creates the handler over the live options (a rotated key is picked up on the next request).</summary>
    public SigningHandler(IOptionsMonitor<ConnectOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">
    /// A header value holds a control character; the message names the header, never its value (it may be a secret).
    /// Nothing was sent.
    /// </exception>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _options.CurrentValue;
        var cache = _cache;
        if (cache is null || !ReferenceEquals(cache.Value.Options, options))
        {
            cache = (options, Encoding.UTF8.GetBytes(options.SecretApiKey ?? string.Empty), ServerMetaInfo.Build(options));
            _cache = cache;
        }

        var headers = request.Headers;
        RequireHeaderSafe(headers);
        if (request.Content is { } body)
        {
            RequireHeaderSafe(body.Headers);
        }

        headers.Remove("Date");
        headers.Remove("Authorization");
        headers.Remove(ServerMetaInfo.HeaderName);
        var date = _time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        headers.TryAddWithoutValidation("Date", date);
        headers.TryAddWithoutValidation(ServerMetaInfo.HeaderName, cache.Value.MetaInfo);

        string? contentType = null;
        if (request.Content is { } content && content.Headers.NonValidated.TryGetValues("Content-Type", out var ct))
        {
            contentType = ct.ToString();
        }

        var gcs = t_gcs ??= new List<KeyValuePair<string, string>>(4);
        try
        {
            foreach (var header in headers.NonValidated)
            {
                if (V1HmacSignature.IsGcsHeader(header.Key))
                {
                    gcs.Add(new(header.Key, header.Value.ToString()));
                }
            }

            var uri = request.RequestUri ?? throw new InvalidOperationException("A Connect request needs a URI.");
            var authorization = V1HmacSignature.AuthorizationValue(cache.Value.Secret, options.ApiKeyId ?? string.Empty, request.Method.Method, contentType, date, gcs, uri.AbsolutePath, uri.Query);
            headers.TryAddWithoutValidation("Authorization", authorization);
        }
        finally
        {
            gcs.Clear();
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static void RequireHeaderSafe(HttpHeaders headers)
    {
        foreach (var header in headers.NonValidated)
        {
            foreach (var value in header.Value)
            {
                if (value.AsSpan().IndexOfAny(ControlCharacters) >= 0)
                {
                    throw new InvalidOperationException(
                        $"The request header {header.Key} holds a control character (CR, LF, NUL, ...), so the request was not sent: on the wire it would end the header and could start another.");
                }
            }
        }
    }
}
