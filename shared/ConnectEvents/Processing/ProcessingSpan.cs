using System.Diagnostics;
using ConnectEvents.Diagnostics;

namespace ConnectEvents.Processing;

/// <summary>
/// The <c>process {queue}</c> consumer span of one delivery: a child of the span that queued the message, or the root of a
/// trace of its own linked to it (a deferred copy, a successor, a replay). The invocation the host started (the Functions
/// host's, in the isolated worker) is linked too, so either trace leads to the other.
/// </summary>
internal static class ProcessingSpan
{
    /// <summary>Starts the span (null when nobody listens or it is not sampled).</summary>
    public static Activity? Start(string queue, QueueTraceHeader? header, string? messageId, int delivery)
    {
        if (!ConnectEventsTracing.Source.HasListeners())
        {
            return null;
        }

        var invocation = Activity.Current;
        var links = new List<ActivityLink>(2);
        ActivityContext parent = default;
        if (header is { IsLink: false } carried)
        {
            parent = carried.Context;
        }
        else if (header is { IsLink: true } linked)
        {
            links.Add(new ActivityLink(linked.Context, new ActivityTagsCollection { [ConnectEventsTracing.LinkReason] = "queued-copy" }));
        }

        if (invocation is not null && header is not null)
        {
            links.Add(new ActivityLink(invocation.Context, new ActivityTagsCollection { [ConnectEventsTracing.LinkReason] = "invocation" }));
        }

        var tags = new ActivityTagsCollection
        {
            ["messaging.system"] = ConnectEventsTracing.StorageQueueSystem,
            ["messaging.operation.type"] = "process",
            ["messaging.operation.name"] = "process",
            ["messaging.destination.name"] = queue,
            ["messaging.message.id"] = messageId,
            ["messaging.message.delivery_count"] = delivery,
        };
        // A trace of its own means no parent at all, not the invocation that happens to be current.
        Activity.Current = header is null ? invocation : null;
        try
        {
            return ConnectEventsTracing.Source.StartActivity("process " + queue, ActivityKind.Consumer, parent, tags, links);
        }
        finally
        {
            if (Activity.Current is null)
            {
                Activity.Current = invocation;
            }
        }
    }

    /// <summary>Links the current delivery's span to the trace of the attempt that recorded the event's outcome (a duplicate's skip).</summary>
    public static void LinkToOriginal(string? traceParent, string reason)
    {
        if (Activity.Current is { } current && ActivityContext.TryParse(traceParent, null, out var original) && original.TraceId != current.TraceId)
        {
            current.AddLink(new ActivityLink(original, new ActivityTagsCollection { [ConnectEventsTracing.LinkReason] = reason }));
        }
    }

    /// <summary>Records what the delivery came to; a delivery that must come back is an error.</summary>
    public static void End(Activity? span, ProcessingResult result)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(ConnectEventsTracing.EventId, result.EventId)
            .SetTag(ConnectEventsTracing.EventType, result.EventType)
            .SetTag(ConnectEventsTracing.Disposition, result.Disposition.ToString())
            .SetTag(ConnectEventsTracing.Outcome, result.Outcome);
        if (!result.IsSuccess)
        {
            span.SetStatus(ActivityStatusCode.Error, result.Disposition.ToString());
        }
    }
}
