using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace ConnectEvents.ConnectApi;

/// <summary>
/// Signs every attempt with v1HMAC: a fresh Date, X-GCS-ServerMetaInfo, and the Authorization header over exactly what
/// goes on the wire. Sits inside the resilience handler so each retry is signed anew.
/// </summary>
public sealed class SigningHandler : DelegatingHandler
{
    private readonly IOptionsMonitor<ConnectOptions> _options;
    private readonly TimeProvider _time;
    private (ConnectOptions Options, byte[] Secret, string MetaInfo)? _cache;

    // Filled and emptied synchronously before the request goes on, so one list per thread serves every request.
    [ThreadStatic]
    private static List<KeyValuePair<string, string>>? t_gcs;

    /// <summary>Creates the handler over the live options (a rotated key is picked up on the next request).</summary>
    public SigningHandler(IOptionsMonitor<ConnectOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <inheritdoc />
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
}
