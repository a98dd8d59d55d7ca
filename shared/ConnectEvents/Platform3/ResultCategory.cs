namespace ConnectEvents.Platform3;

/// <summary>What a v3 result code means for the payment, coarsely.</summary>
public enum ResultCategory
{
    /// <summary>The code is well formed but no rule names it.</summary>
    Unknown,

    /// <summary>The transaction succeeded.</summary>
    Success,

    /// <summary>The transaction is not final yet.</summary>
    Pending,

    /// <summary>The bank (issuer or acquirer) declined.</summary>
    DeclinedByBank,

    /// <summary>A risk check declined.</summary>
    DeclinedByRisk,

    /// <summary>The request was invalid (parameters, format, configuration).</summary>
    InvalidRequest,

    /// <summary>The platform or a system behind it failed.</summary>
    SystemError,
}
