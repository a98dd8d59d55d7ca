using System.Text.Json.Serialization;

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

/// <summary>One side effect performed on Connect or the token vault.</summary>
/// <param name="Name">capture, tokenize, token-removed.</param>
/// <param name="ConnectId">The id Connect gave (capture id, token id).</param>
/// <param name="Status">The status Connect answered.</param>
/// <param name="Replayed">True when Connect answered with the stored response of an earlier identical request (idempotence key).</param>
/// <param name="ElapsedMs">The call's duration.</param>
public sealed record ProcessingAction(string Name, string? ConnectId, string? Status, bool Replayed, double ElapsedMs);

/// <summary>Source-generated JSON for processing records and payloads.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProcessingDetail))]
[JsonSerializable(typeof(string))]
public sealed partial class ProcessingJsonContext : JsonSerializerContext;
