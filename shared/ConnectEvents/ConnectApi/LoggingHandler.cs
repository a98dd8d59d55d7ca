using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.ConnectApi;

/// <summary>Logs each Connect attempt at Debug level with secrets and cardholder data obfuscated; off unless <see cref="ConnectOptions.LogRequests"/> is set.</summary>
public sealed partial class LoggingHandler : DelegatingHandler
{
    private readonly IOptionsMonitor<ConnectOptions> _options;
    private readonly ILogger<LoggingHandler> _logger;

    /// <summary>Creates the handler.</summary>
    public LoggingHandler(IOptionsMonitor<ConnectOptions> options, ILogger<LoggingHandler> logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _options.CurrentValue;
        // Logging off (the default): pass the request straight on, without an async state machine per call.
        return options.LogRequests && _logger.IsEnabled(LogLevel.Debug)
            ? SendLoggedAsync(request, options, cancellationToken)
            : base.SendAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendLoggedAsync(HttpRequestMessage request, ConnectOptions options, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var requestBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri?.PathAndQuery ?? string.Empty;
        var requestHeaders = Headers(request.Headers, request.Content?.Headers);
        var loggedRequestBody = LogObfuscator.Body(requestBody, options.MaxLoggedBodyLength);
        LogRequest(_logger, id, request.Method.Method, path, requestHeaders, loggedRequestBody);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var responseBody = await response.Content.ReadAsStringAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var responseHeaders = Headers(response.Headers, response.Content.Headers);
            var loggedResponseBody = LogObfuscator.Body(responseBody, options.MaxLoggedBodyLength);
            LogResponse(_logger, id, (int)response.StatusCode, elapsed, responseHeaders, loggedResponseBody);
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var errorType = ex.GetType().Name;
            LogFailure(_logger, id, elapsed, errorType, ex.Message);
            throw;
        }
    }

    private static string Headers(System.Net.Http.Headers.HttpHeaders headers, System.Net.Http.Headers.HttpHeaders? content)
    {
        var sb = new StringBuilder();
        foreach (var set in (ReadOnlySpan<System.Net.Http.Headers.HttpHeaders?>)[headers, content])
        {
            if (set is null)
            {
                continue;
            }

            foreach (var header in set.NonValidated)
            {
                sb.Append(header.Key).Append(": ").Append(LogObfuscator.Header(header.Key, header.Value.ToString())).Append("; ");
            }
        }

        return sb.ToString();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Connect request {RequestLogId}: {Method} {Path} headers [{Headers}] body {Body}")]
    private static partial void LogRequest(ILogger logger, string requestLogId, string method, string path, string headers, string body);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Connect response {RequestLogId}: {Status} in {ElapsedMs:F1} ms headers [{Headers}] body {Body}")]
    private static partial void LogResponse(ILogger logger, string requestLogId, int status, double elapsedMs, string headers, string body);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Connect request {RequestLogId} failed after {ElapsedMs:F1} ms: {ErrorType} {ErrorMessage}")]
    private static partial void LogFailure(ILogger logger, string requestLogId, double elapsedMs, string errorType, string errorMessage);
}
