namespace ConnectEvents.Processing;

/// <summary>What one processing attempt did, stored as the record's detail JSON for operators.</summary>
public sealed class ProcessingDetail
{
    /// <summary>The payment status read from Connect before acting.</summary>
    public string? StatusBefore { get; set; }

    /// <summary>The status after the last action (for example CAPTURE_REQUESTED).</summary>
    public string? StatusAfter { get; set; }

    /// <summary>The side effects, in order, with Connect's ids.</summary>
    public List<ProcessingAction> Actions { get; } = [];

    /// <summary>Why something was not done (no customer reference, status not eligible, …).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The Connect errors of a permanent failure.</summary>
    public List<ConnectApi.ConnectError>? Errors { get; set; }

    /// <summary>The Connect errorId of a permanent failure.</summary>
    public string? ErrorId { get; set; }

    /// <summary>
    /// The record's replay generation this attempt runs under (0 until an operator replays the event): set before the
    /// handler runs, which folds it into the idempotence keys it sends (<see cref="ConnectApi.CallContext.DeriveKey(string, string, string, int)"/>).
    /// </summary>
    public int ReplayGeneration { get; set; }

    /// <summary>The delivery count of the attempt that wrote this.</summary>
    public int Delivery { get; set; }

    /// <summary>How long the attempt took, in milliseconds.</summary>
    public double ElapsedMs { get; set; }

    /// <summary>Keeps what a permanent failure says for operators: Connect's errors and errorId, when Connect refused.</summary>
    public void RecordFailure(Exception failure)
    {
        if (failure is ConnectApi.ConnectApiException connect)
        {
            Errors = [.. connect.Errors];
            ErrorId = connect.ErrorId;
        }
        else
        {
            Notes.Add($"failed: {failure.GetType().Name}: {failure.Message}");
        }
    }
}
