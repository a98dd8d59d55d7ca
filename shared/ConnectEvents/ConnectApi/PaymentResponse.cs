namespace ConnectEvents.ConnectApi;

/// <summary>A payment (GET payment, and the payment inside other responses).</summary>
public sealed class PaymentResponse : ConnectObject
{
    /// <summary>The payment id.</summary>
    public string? Id { get; set; }

    /// <summary>The status (CREATED, PENDING_CAPTURE, CAPTURE_REQUESTED, CAPTURED, PAID, …).</summary>
    public string? Status { get; set; }

    /// <summary>Status details.</summary>
    public StatusOutput? StatusOutput { get; set; }

    /// <summary>Amount, references, method.</summary>
    public PaymentOutput? PaymentOutput { get; set; }
}
