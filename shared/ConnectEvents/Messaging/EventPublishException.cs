using ConnectEvents.Storage;

namespace ConnectEvents.Messaging;

/// <summary>The event could not be durably enqueued; the webhook must answer non-2xx so Worldline retries.</summary>
public sealed class EventPublishException : Exception
{
    /// <summary>Creates the exception with a reason and the transport's failure.</summary>
    public EventPublishException(string message, Exception? innerException = null, bool isConfigurationError = false)
        : base(message, innerException)
    {
        IsConfigurationError = isConfigurationError;
    }

    /// <summary>Creates the exception with no detail.</summary>
    public EventPublishException() : base("The event could not be published.") { }

    /// <summary>Creates the exception with a reason.</summary>
    public EventPublishException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public EventPublishException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>True when retrying cannot help until an operator fixes configuration (for example a 401/403 from the broker).</summary>
    public bool IsConfigurationError { get; }

    /// <summary>A storage queue or container (<paramref name="target"/>) did not take the event; 401/403 is a configuration error.</summary>
    internal static EventPublishException FromStorage(string target, Exception failure, Uri? endpoint = null) =>
        new($"{target} did not accept the event: {StorageFailureText.Describe(failure, endpoint)}", failure, StorageFailures.IsAccessDenied(failure));
}
