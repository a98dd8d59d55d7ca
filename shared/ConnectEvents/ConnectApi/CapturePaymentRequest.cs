namespace ConnectEvents.ConnectApi;

/// <summary>The body of capture payment.</summary>
public sealed class CapturePaymentRequest : ConnectObject
{
    /// <summary>The amount to capture; null captures the full amount.</summary>
    public long? Amount { get; set; }

    /// <summary>True when no further captures follow.</summary>
    public bool? IsFinal { get; set; }
}
