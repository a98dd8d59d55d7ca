using System.Diagnostics;

namespace ConnectEvents.Diagnostics;

/// <summary>
/// The product's one <see cref="ActivitySource"/> and the names of its spans and attributes (OpenTelemetry semantic
/// conventions for HTTP and messaging where one applies, <c>connect_events.*</c> for our own facts). No attribute ever
/// holds a secret, a key, a token, a card number or a whole payload: ids, types, statuses and outcomes only.
/// </summary>
public static class ConnectEventsTracing
{
    /// <summary>The source's name, as a tracer provider adds it (<c>AddSource</c>); the same as the meter's.</summary>
    public const string SourceName = "ConnectEvents";

    /// <summary>The source every span of our own is started from.</summary>
    public static readonly ActivitySource Source = new(SourceName, typeof(ConnectEventsTracing).Assembly.GetName().Version?.ToString());

    /// <summary>The <c>messaging.system</c> of the Storage queues (no registered value exists for them).</summary>
    public const string StorageQueueSystem = "azure_storage_queue";

    /// <summary>The <c>messaging.system</c> of the Service Bus topic (the registered value).</summary>
    public const string ServiceBusSystem = "servicebus";

    /// <summary>Attribute: the Connect (or v3) event id.</summary>
    public const string EventId = "connect_events.event.id";

    /// <summary>Attribute: the event type, e.g. <c>payment.pending_capture</c>.</summary>
    public const string EventType = "connect_events.event.type";

    /// <summary>Attribute: the payment the event is about.</summary>
    public const string PaymentId = "connect_events.payment.id";

    /// <summary>Attribute: what processing did (<c>captured</c>, <c>no-action</c>, …) or why it failed.</summary>
    public const string Outcome = "connect_events.outcome";

    /// <summary>Attribute: the processing disposition (Completed, Skipped, Deferred, Retry, Failed, DeadLettered).</summary>
    public const string Disposition = "connect_events.disposition";

    /// <summary>Attribute: the claim's answer (Claimed, AlreadyCompleted, InProgressElsewhere, …).</summary>
    public const string ClaimStatus = "connect_events.claim.status";

    /// <summary>Attribute: the Connect operation (<c>get-payment</c>, <c>capture</c>, …), as the metrics name it.</summary>
    public const string Operation = "connect_events.operation";

    /// <summary>Attribute: how a span relates to the trace it links to (<c>deferred</c>, <c>duplicate</c>, <c>replay</c>).</summary>
    public const string LinkReason = "connect_events.link.reason";

    /// <summary>Starts a span of our own (null when nobody listens or it is not sampled), parented to the current one.</summary>
    public static Activity? Start(string name, ActivityKind kind = ActivityKind.Internal) => Source.StartActivity(name, kind);

    /// <summary>
    /// Runs one step (<c>verify</c>, <c>publish</c>, <c>claim</c>, <c>handle</c>, <c>complete</c>, <c>defer</c>, …) as a child
    /// span of the current one, marked failed with the exception's type when it throws.
    /// </summary>
    public static Task<T> StepAsync<T>(string name, Func<Activity?, Task<T>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        // Tracing off (no exporter configured): the step runs as it is, with no state machine of ours around it.
        return Source.HasListeners() ? TracedStepAsync(name, step) : step(null);
    }

    /// <summary><see cref="StepAsync{T}(string, Func{Activity?, Task{T}})"/> for a step that answers nothing.</summary>
    public static Task StepAsync(string name, Func<Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return Source.HasListeners()
            ? TracedStepAsync<bool>(name, async _ =>
            {
                await step();
                return true;
            })
            : step();
    }

    private static async Task<T> TracedStepAsync<T>(string name, Func<Activity?, Task<T>> step)
    {
        using var span = Start(name);
        try
        {
            return await step(span);
        }
        catch (Exception ex)
        {
            Fail(span, ex);
            throw;
        }
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="error"/>'s type only: a message may quote what it should not.</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        activity.SetTag("error.type", error.GetType().FullName);
    }

    /// <summary>The current span's W3C <c>traceparent</c>, or null when there is none.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { } current && current.IdFormat == ActivityIdFormat.W3C ? current.Id : null;
}
