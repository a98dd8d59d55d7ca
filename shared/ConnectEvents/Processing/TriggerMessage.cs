namespace ConnectEvents.Processing;

/// <summary>One delivered queue message: its exact bytes, the queue it came from and where it stands in the trigger's delivery budget.</summary>
/// <param name="Queue">The queue that delivered it; a deferred copy goes back there.</param>
/// <param name="Body">The message as it was enqueued (for Connect, the raw event as Worldline sent it).</param>
/// <param name="DeliveryCount">1 on the first delivery (the queue message's dequeue count).</param>
/// <param name="MessageId">The queue's message id, for logs.</param>
/// <param name="IsLastDelivery">True when the trigger moves the message to the poison queue if this delivery fails (host.json maxDequeueCount reached).</param>
public sealed record TriggerMessage(string Queue, ReadOnlyMemory<byte> Body, int DeliveryCount, string? MessageId, bool IsLastDelivery);
