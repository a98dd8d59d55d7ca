namespace ConnectEvents.Idempotence;

/// <summary>What a reindex of the processed-event table wrote.</summary>
/// <param name="Records">Records read.</param>
/// <param name="FailedRows">Failed-index rows written (one per Failed record).</param>
/// <param name="PaymentRows">Payment-index rows written (one per record with a payment id).</param>
public sealed record ReindexReport(int Records, int FailedRows, int PaymentRows);
