using Microsoft.Extensions.Options;

namespace ConnectEvents.Processing;

/// <summary>What the function answers the host: a status (2xx completes the message, anything else fails the invocation) and the JSON body.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Body">The host's response payload.</param>
/// <param name="Result">The processing result, when the payload was readable.</param>
public sealed record InvocationResponse(int StatusCode, byte[] Body, ProcessingResult? Result);

/// <summary>The one handler behind both trigger functions: reads the host payload, processes, answers with the host's response payload.</summary>
public sealed class ProcessingInvocationHandler
{
    private readonly EventProcessor _processor;
    private readonly IOptionsMonitor<ProcessingOptions> _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the handler.</summary>
    public ProcessingInvocationHandler(EventProcessor processor, IOptionsMonitor<ProcessingOptions> options, TimeProvider time)
    {
        _processor = processor;
        _options = options;
        _time = time;
    }

    /// <summary>Handles one invocation payload from <paramref name="source"/>.</summary>
    public async Task<InvocationResponse> HandleAsync(ReadOnlyMemory<byte> payload, TriggerSource source, CancellationToken cancellationToken)
    {
        TriggerMessage message;
        try
        {
            message = TriggerInvocation.Parse(payload, source);
        }
        catch (InvocationFormatException ex)
        {
            // Not the host's shape: fail the invocation so the message is kept (poison / dead-letter), never dropped.
            return new(400, TriggerInvocation.Response($"invalid invocation payload: {ex.Message}"), null);
        }

        ProcessingResult result;
        try
        {
            result = await _processor.ProcessAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug must not lose the message: fail the invocation (the host retries, then poisons) and say what broke.
            return new(500, TriggerInvocation.Response($"unexpected {ex.GetType().Name} while processing message {message.MessageId}"), null);
        }

        if (result.IsSuccess)
        {
            return new(200, TriggerInvocation.Response(result.Summary), result);
        }

        if (source == TriggerSource.ServiceBus && result.Disposition == ProcessingDisposition.Retry)
        {
            // Service Bus redelivers an abandoned message at once; holding the failed invocation a little is the backoff.
            // (A scheduled re-send would reach every subscription of the topic, not just this one.)
            var options = _options.CurrentValue;
            var delay = TimeSpan.FromTicks(Math.Min(options.ServiceBusRetryDelay.Ticks * message.DeliveryCount, options.ServiceBusMaxRetryDelay.Ticks));
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        return new(503, TriggerInvocation.Response(result.Summary), result);
    }
}
