using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace ConnectEvents.Functions.Hosting;

/// <summary>
/// An HTTP answer a function returns: status, optional headers and an optional body. It writes the response itself, so
/// it needs no MVC result executors and answers the same under the Functions host and the dev host.
/// </summary>
public sealed class Response : IActionResult
{
    private readonly int _status;
    private readonly string? _contentType;
    private readonly Func<HttpResponse, CancellationToken, Task>? _body;
    private readonly List<KeyValuePair<string, string>> _headers = [];

    private Response(int status, string? contentType, Func<HttpResponse, CancellationToken, Task>? body)
    {
        _status = status;
        _contentType = contentType;
        _body = body;
    }

    /// <summary>The status code this answer sends.</summary>
    public int StatusCode => _status;

    /// <summary>An answer with no body.</summary>
    public static Response Status(int status) => new(status, null, null);

    /// <summary>A <c>text/plain</c> answer.</summary>
    public static Response Text(int status, string text) =>
        new(status, "text/plain; charset=utf-8", (response, ct) => response.WriteAsync(text, ct));

    /// <summary>A JSON answer serialized with the source-generated <paramref name="type"/>.</summary>
    public static Response Json<T>(int status, T value, JsonTypeInfo<T> type, string contentType = "application/json") =>
        new(status, contentType, (response, ct) => JsonSerializer.SerializeAsync(response.Body, value, type, ct));

    /// <summary>503 with Retry-After for a request whose body did not fit the process's <see cref="ConnectEvents.Hosting.RequestBodyBudget"/> (its body unread).</summary>
    public static Response OverBudget(ConnectEvents.Hosting.RequestBodyBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return Text(StatusCodes.Status503ServiceUnavailable, ConnectEvents.Hosting.RequestBodyBudget.RefusalMessage)
            .WithHeader("Retry-After", budget.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Adds a response header.</summary>
    public Response WithHeader(string name, string value)
    {
        _headers.Add(new(name, value));
        return this;
    }

    /// <inheritdoc />
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = _status;
        foreach (var (name, value) in _headers)
        {
            response.Headers.Append(name, value);
        }

        if (_body is null)
        {
            return Task.CompletedTask;
        }

        response.ContentType = _contentType;
        return _body(response, context.HttpContext.RequestAborted);
    }
}
