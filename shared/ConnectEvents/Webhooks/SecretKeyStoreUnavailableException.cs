namespace ConnectEvents.Webhooks;

/// <summary>The secret key store cannot answer right now (e.g. Key Vault unreachable); the webhook answers 503, not 401.</summary>
public sealed class SecretKeyStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SecretKeyStoreUnavailableException() : base("The secret key store is unavailable.") { }

    /// <summary>Creates the exception with a reason.</summary>
    public SecretKeyStoreUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public SecretKeyStoreUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
