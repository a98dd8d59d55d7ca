namespace ConnectEvents.Messaging;

/// <summary>
/// A transport refused this one event for a reason its redelivery cannot change (it is too large, or the broker finds the
/// message itself invalid); the webhook quarantines it (2xx) instead of answering 503 to every redelivery.
/// </summary>
public class EventRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EventRefusedException() : base("The transport refused the event.") { }

    /// <summary>Creates the exception with a reason.</summary>
    public EventRefusedException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public EventRefusedException(string message, Exception innerException) : base(message, innerException) { }
}
