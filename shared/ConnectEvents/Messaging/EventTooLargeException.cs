namespace ConnectEvents.Messaging;

/// <summary>The event does not fit the transport's message size; it is kept in quarantine instead.</summary>
public sealed class EventTooLargeException : EventRefusedException
{
    /// <summary>Creates the exception.</summary>
    public EventTooLargeException() : base("The event is too large for the transport.") { }

    /// <summary>Creates the exception with a reason.</summary>
    public EventTooLargeException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public EventTooLargeException(string message, Exception innerException) : base(message, innerException) { }
}
