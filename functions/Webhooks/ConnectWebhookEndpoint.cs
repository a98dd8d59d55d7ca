using System.Globalization;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Functions.Webhooks;

/// <summary>The <c>ConnectWebhook</c> function: Worldline's endpoint verification (GET) and signed events (POST).</summary>
public static class ConnectWebhookEndpoint
{
    /// <summary>The route as the Functions host forwards it (routePrefix <c>api</c> + function route) and as standalone mode serves it.</summary>
    public const string Route = "/api/webhooks/connect";

    /// <summary>The header Worldline sends on endpoint verification; its value is echoed.</summary>
    public const string VerificationHeader = "X-GCS-Webhooks-Endpoint-Verification";

    /// <summary>Registers the webhook pipeline services.</summary>
    public static WebApplicationBuilder AddConnectWebhook(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddConnectWebhooks(builder.Configuration);
        return builder;
    }

    /// <summary>Maps <see cref="Route"/> for every method: GET and POST are served, others get 405.</summary>
    public static IEndpointRouteBuilder MapConnectWebhook(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Map(Route, HandleAsync).WithName("ConnectWebhook");
        return app;
    }

    private static Task HandleAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsPost(method))
        {
            return PostAsync(context);
        }

        if (HttpMethods.IsGet(method))
        {
            return Verification(context);
        }

        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = "GET, POST";
        return Task.CompletedTask;
    }

    private static Task Verification(HttpContext context)
    {
        var values = context.Request.Headers[VerificationHeader];
        if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync(values.Count > 1
                ? VerificationHeader + " must be sent once."
                : "Missing " + VerificationHeader + " header.");
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(values[0]!);
    }

    private static async Task PostAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<WebhookOptions>>().Value;
        using var body = await BoundedBody.ReadAsync(context, options.MaxBodyBytes, context.RequestAborted);
        if (body.IsTooLarge)
        {
            await TooLarge(context, options.MaxBodyBytes);
            return;
        }

        var ingress = context.RequestServices.GetRequiredService<WebhookIngress>();
        var result = await ingress.HandleAsync(body.Bytes, new HeaderView(context.Request.Headers), context.RequestAborted);
        await WriteResult(context, result, options);
    }

    private static Task WriteResult(HttpContext context, IngressResult result, WebhookOptions options)
    {
        var response = context.Response;
        switch (result.Status)
        {
            case IngressStatus.Accepted:
            case IngressStatus.Quarantined:
                response.StatusCode = StatusCodes.Status200OK;
                return Task.CompletedTask;
            case IngressStatus.Unauthorized:
                response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            default:
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/plain";
                return response.WriteAsync("The event could not be stored; retry later.");
        }
    }

    private static Task TooLarge(HttpContext context, int limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync($"The body exceeds {limit} bytes.");
    }

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
