namespace ConnectEvents.Idempotence;

/// <summary>A status change was refused because another owner claimed the event since the caller did.</summary>
public sealed class LeaseLostException : Exception
{
    /// <summary>Creates the exception with no detail.</summary>
    public LeaseLostException() : base("The claim was taken over by another owner.") { }

    /// <summary>Creates the exception with a message.</summary>
    public LeaseLostException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LeaseLostException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>The event whose claim was lost, when known.</summary>
    public string? EventId { get; init; }

    internal static LeaseLostException For(string eventId, Exception? cause) =>
        new($"The claim on event '{eventId}' was taken over by another owner since it was claimed.", cause) { EventId = eventId };
}
