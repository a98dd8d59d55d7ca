namespace ConnectEvents.Processing;

/// <summary>
/// The delivery failed in a way another delivery can fix (transient trouble at a remote API or in storage, or the last
/// delivery that leaves the record marked): the queue trigger makes the message visible again after its visibility
/// timeout and moves it to the poison queue after <c>maxDequeueCount</c>.
/// </summary>
public sealed class EventDeliveryFailedException : Exception
{
    /// <summary>Creates the exception with the processor's one-line summary.</summary>
    public EventDeliveryFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public EventDeliveryFailedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no detail.</summary>
    public EventDeliveryFailedException() : base("The event delivery failed; it will be delivered again.") { }
}
