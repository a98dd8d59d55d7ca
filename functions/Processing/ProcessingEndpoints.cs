using ConnectEvents.Functions.Hosting;
using ConnectEvents.Processing;

namespace ConnectEvents.Functions.Processing;

/// <summary>The two trigger functions (Service Bus and Storage queue) mapped to the one processing handler.</summary>
public static class ProcessingEndpoints
{
    /// <summary>The Service Bus topic-subscription trigger function (folder name = invocation path).</summary>
    public const string ServiceBusFunction = "ProcessConnectEvent";

    /// <summary>The Storage queue trigger function.</summary>
    public const string QueueFunction = "ProcessConnectEventQueue";

    // A queue message is at most 64 KiB and a Service Bus Standard message 256 KiB; base64 and metadata stay well under this.
    private const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>Registers processing; the standalone pump runs only outside the Functions host and when <c>Processing__Pump__Enabled</c> is true.</summary>
    public static WebApplicationBuilder AddConnectProcessing(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var runPump = !builder.Configuration.IsFunctionsMode() && builder.Configuration.GetValue("Processing:Pump:Enabled", true);
        builder.Services.AddEventProcessing(builder.Configuration, runPump);
        return builder;
    }

    /// <summary>Maps <c>POST /ProcessConnectEvent</c> and <c>POST /ProcessConnectEventQueue</c>, where the host sends trigger invocations.</summary>
    public static IEndpointRouteBuilder MapConnectProcessing(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + ServiceBusFunction, (HttpContext context, ProcessingInvocationHandler handler) => HandleAsync(context, handler, TriggerSource.ServiceBus));
        app.MapPost("/" + QueueFunction, (HttpContext context, ProcessingInvocationHandler handler) => HandleAsync(context, handler, TriggerSource.StorageQueue));
        return app;
    }

    private static async Task HandleAsync(HttpContext context, ProcessingInvocationHandler handler, TriggerSource source)
    {
        using var payload = await BoundedBody.ReadAsync(context, MaxPayloadBytes, context.RequestAborted);
        var response = payload.IsTooLarge
            ? new InvocationResponse(StatusCodes.Status413PayloadTooLarge, TriggerInvocation.Response($"invocation payload over {MaxPayloadBytes} bytes"), null)
            : await handler.HandleAsync(payload.Bytes, source, context.RequestAborted);
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }
}
