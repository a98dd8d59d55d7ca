namespace ConnectEvents.Failures;

/// <summary>What a failure means for the work that hit it.</summary>
public enum FailureClass
{
    /// <summary>Trying again later can succeed (network, timeouts, throttling, server errors, a store that is away).</summary>
    Transient,

    /// <summary>Trying again cannot help: the service refused this request for good (validation, declined, authorization, reference).</summary>
    Permanent,

    /// <summary>Another owner took the claimed work over; stop without writing anything more.</summary>
    LeaseLost,

    /// <summary>The caller's own cancellation: not a failure of the work.</summary>
    Cancelled,

    /// <summary>No known failure (a bug, an injected crash): never lose the work, try again and say so loudly.</summary>
    Unknown,
}
