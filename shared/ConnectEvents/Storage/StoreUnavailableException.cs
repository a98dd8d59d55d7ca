namespace ConnectEvents.Storage;

/// <summary>Table storage could not be reached or is throttling (5xx, 408, 429, network failure, SDK timeout): transient, retry later.</summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the exception with no detail.</summary>
    public StoreUnavailableException() : base("Table storage is unavailable.") { }

    /// <summary>Creates the exception with a message.</summary>
    public StoreUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the storage failure.</summary>
    public StoreUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
