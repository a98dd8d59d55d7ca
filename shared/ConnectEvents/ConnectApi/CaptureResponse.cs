namespace ConnectEvents.ConnectApi;

/// <summary>The answer to capture payment.</summary>
public sealed class CaptureResponse : ConnectObject
{
    /// <summary>The capture id.</summary>
    public string? Id { get; set; }

    /// <summary>The capture status (CAPTURE_REQUESTED, …).</summary>
    public string? Status { get; set; }

    /// <summary>Amount details.</summary>
    public CaptureOutput? CaptureOutput { get; set; }

    /// <summary>Status details.</summary>
    public StatusOutput? StatusOutput { get; set; }
}
