using System.Globalization;
using ConnectEvents.Diagnostics;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Hosting;
using ConnectEvents.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Functions.Webhooks;

/// <summary>The <c>ConnectWebhook</c> function: Worldline's endpoint verification (GET) and signed events (POST).</summary>
/// <param name="platforms">Whether the Connect platform is on (off: 404).</param>
/// <param name="ingress">Verifies, reads and publishes an event.</param>
/// <param name="options">The webhook settings (body limit, Retry-After).</param>
/// <param name="metrics">Counts the bodies refused here; the ingress counts the rest.</param>
/// <param name="budget">The process-wide budget the body must fit before it is read.</param>
public sealed class ConnectWebhook(EnabledPlatforms platforms, WebhookIngress ingress, IOptions<WebhookOptions> options, ConnectEventsMetrics metrics, RequestBodyBudget budget)
{
    /// <summary>The function name the host knows it by.</summary>
    public const string Name = nameof(ConnectWebhook);

    /// <summary>The full path (routePrefix <c>api</c> + the function's route).</summary>
    public const string Route = "/api/webhooks/connect";

    /// <summary>The header Worldline sends on endpoint verification; its value is echoed.</summary>
    public const string VerificationHeader = "X-GCS-Webhooks-Endpoint-Verification";

    /// <summary>Anonymous on purpose: the X-GCS-Signature over the body is the authentication.</summary>
    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "webhooks/connect")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!platforms.Connect)
        {
            return Response.Text(StatusCodes.Status404NotFound, EnabledPlatforms.ConnectOffMessage);
        }

        if (HttpMethods.IsGet(request.Method))
        {
            return Verification(request.Headers[VerificationHeader]);
        }

        var settings = options.Value;
        using var body = await BoundedBody.ReadAsync(request.HttpContext, settings.MaxBodyBytes, budget, cancellationToken);
        if (body.IsOverBudget)
        {
            return Response.OverBudget(budget);
        }

        if (body.IsTooLarge || body.FailedStatus != 0)
        {
            metrics.WebhookBodyRefused(body.IsTooLarge);
        }

        if (body.IsTooLarge)
        {
            return Response.Text(StatusCodes.Status413PayloadTooLarge, $"The body exceeds {settings.MaxBodyBytes} bytes.");
        }

        if (body.FailedStatus != 0)
        {
            return Response.Text(body.FailedStatus, "The body was not received whole.");
        }

        var result = await ingress.HandleAsync(body.Bytes, new HeaderView(request.Headers), cancellationToken);
        return result.Status switch
        {
            IngressStatus.Accepted or IngressStatus.Quarantined => Response.Status(StatusCodes.Status200OK),
            IngressStatus.Unauthorized => Response.Status(StatusCodes.Status401Unauthorized),
            _ => Response.Text(StatusCodes.Status503ServiceUnavailable, "The event could not be stored; retry later.")
                .WithHeader("Retry-After", settings.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)),
        };
    }

    private static Response Verification(StringValues values) =>
        values.Count == 1 && !string.IsNullOrEmpty(values[0])
            ? Response.Text(StatusCodes.Status200OK, values[0]!)
            : Response.Text(StatusCodes.Status400BadRequest, values.Count > 1
                ? VerificationHeader + " must be sent once."
                : "Missing " + VerificationHeader + " header.");

    /// <summary>Read-only dictionary view over the request headers, without copying them.</summary>
    private sealed class HeaderView(IHeaderDictionary headers) : IReadOnlyDictionary<string, StringValues>
    {
        public StringValues this[string key] => headers[key];

        public IEnumerable<string> Keys => headers.Keys;

        public IEnumerable<StringValues> Values => headers.Values;

        public int Count => headers.Count;

        public bool ContainsKey(string key) => headers.ContainsKey(key);

        public bool TryGetValue(string key, out StringValues value) => headers.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator() => headers.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
