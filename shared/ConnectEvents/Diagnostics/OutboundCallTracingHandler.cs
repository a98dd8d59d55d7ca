using System.Diagnostics;
using System.Globalization;

namespace ConnectEvents.Diagnostics;

/// <summary>
/// One HTTP client span per attempt at a Connect or Inquiry call (it sits inside the retry handler), named and tagged by
/// the OpenTelemetry HTTP conventions: <c>{method} {url.template}</c>, with the method, status, server and the URL without
/// its query (where v3 references travel). No header is recorded: the signature and the Bearer token stay out.
/// </summary>
/// <param name="operation">Names the call's operation and route template from the request (<c>get-payment</c>, <c>/v1/{merchantId}/payments/{paymentId}</c>).</param>
public sealed class OutboundCallTracingHandler(Func<HttpRequestMessage, (string Operation, string Template)> operation) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ConnectEventsTracing.Source.HasListeners())
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var (name, template) = operation(request);
        using var span = ConnectEventsTracing.Start($"{request.Method.Method} {template}", ActivityKind.Client);
        if (span is not null && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            span.SetTag("http.request.method", request.Method.Method)
                .SetTag("url.template", template)
                .SetTag("url.full", uri.GetLeftPart(UriPartial.Path))
                .SetTag("server.address", uri.Host)
                .SetTag("server.port", uri.Port)
                .SetTag(ConnectEventsTracing.Operation, name);
        }

        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            span?.SetTag("http.response.status_code", status);
            if (status >= 400)
            {
                span?.SetStatus(ActivityStatusCode.Error).SetTag("error.type", status.ToString(CultureInfo.InvariantCulture));
            }

            return response;
        }
        catch (Exception ex)
        {
            ConnectEventsTracing.Fail(span, ex);
            throw;
        }
    }
}
