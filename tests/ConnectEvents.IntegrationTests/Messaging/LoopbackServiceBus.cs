using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.IntegrationTests.Messaging;

/// <summary>
/// A stand-in for the Service Bus REST "send message" endpoint on real Kestrel at 127.0.0.1: records every request,
/// answers from a script (default 201), and keeps the messages it answered 201 for.
/// </summary>
public sealed class LoopbackServiceBus : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Answer> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<RecordedRequest> _stored = new();

    private LoopbackServiceBus(WebApplication app) => _app = app;

    /// <summary>The base address to configure as <c>Events:ServiceBusEndpoint</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The messages accepted with 201.</summary>
    public IReadOnlyList<RecordedRequest> Messages => [.. _stored];

    /// <summary>The status given once the script is used up (201 unless changed).</summary>
    public int DefaultStatus { get; set; } = StatusCodes.Status201Created;

    /// <summary>Starts the broker on a free loopback port.</summary>
    public static async Task<LoopbackServiceBus> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var broker = new LoopbackServiceBus(app);
        app.MapPost("/{topic}/messages", broker.HandleAsync);
        await app.StartAsync();
        broker.Endpoint = new Uri(app.Urls.Single() + "/");
        return broker;
    }

    /// <summary>Queues answers for the next requests, e.g. 429 then 503.</summary>
    public void Then(int status, string? retryAfter = null) => _script.Enqueue(new Answer(status, retryAfter));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string topic)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Path.Value!, topic, headers, body.ToArray());
        _requests.Enqueue(request);
        var answer = _script.TryDequeue(out var scripted) ? scripted : new Answer(DefaultStatus, null);
        if (answer.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = answer.RetryAfter;
        }

        context.Response.StatusCode = answer.Status;
        if (answer.Status == StatusCodes.Status201Created)
        {
            _stored.Enqueue(request);
        }
        else
        {
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync($"<Error><Code>{answer.Status}</Code><Detail>scripted answer</Detail></Error>");
        }
    }

    private sealed record Answer(int Status, string? RetryAfter);
}

/// <summary>One request the loopback broker received.</summary>
/// <param name="Path">The request path.</param>
/// <param name="Topic">The topic segment of the path.</param>
/// <param name="Headers">The request headers (case-insensitive).</param>
/// <param name="Body">The body bytes.</param>
public sealed record RecordedRequest(string Path, string Topic, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
