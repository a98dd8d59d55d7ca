namespace ConnectEvents.ConnectApi;

/// <summary>Where an object is in its life cycle.</summary>
public sealed class StatusOutput : ConnectObject
{
    /// <summary>True when the payment is authorized.</summary>
    public bool? IsAuthorized { get; set; }

    /// <summary>True when it can still be cancelled.</summary>
    public bool? IsCancellable { get; set; }

    /// <summary>True when it can be refunded.</summary>
    public bool? IsRefundable { get; set; }

    /// <summary>The status category (for example PENDING_MERCHANT).</summary>
    public string? StatusCategory { get; set; }

    /// <summary>The numeric status code.</summary>
    public int? StatusCode { get; set; }
}
