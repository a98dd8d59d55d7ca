using System.Globalization;
using Azure.Data.Tables;
using ConnectEvents.Storage;

namespace ConnectEvents.Idempotence;

/// <summary>
/// The index rows of the processed-event table: which events failed on a day, and which events are about a payment, so
/// that the operators' queries read a few keyed rows instead of every record ever processed.
/// </summary>
/// <remarks>
/// <para>The rows live in the records' own table, in partitions that begin with <c>~</c> and so sort after every record
/// partition (three hex characters): <c>~failed-yyyyMMdd</c> (RowKey = the escaped event id) holds the events that became
/// Failed that UTC day; <c>~payment-xyz</c> (xyz: the first three hex characters of SHA-256 of the payment id, so the
/// rows spread as the records do; RowKey = escaped payment id, <c>|</c>, escaped event id) holds the events of payments.</para>
/// <para>A row is a hint, never the truth: it is written before the record's write it describes (so no record is ever
/// without its row), and a reader always reads the record and keeps only what the record still says. A row the record no
/// longer matches (replayed and completed, failed again another day, deleted) is ignored, and deleted once it is older
/// than <see cref="Grace"/>, by when no write it was made for can still land.</para>
/// </remarks>
internal static class RecordIndex
{
    /// <summary>Every index partition starts with this; record partitions sort before it.</summary>
    public const string Prefix = "~";

    /// <summary>The failed index's partitions: this plus the UTC day, <c>yyyyMMdd</c>.</summary>
    public const string FailedPrefix = "~failed-";

    /// <summary>The payment index's partitions: this plus three hex characters of the payment id's hash.</summary>
    public const string PaymentPrefix = "~payment-";

    /// <summary>How old a row the record does not match must be before a reader deletes it (a write in flight has landed or failed by then).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    // Longer payment ids are not indexed: a composite key over 512 characters ends in a hash, and the payment's range would be cut.
    private const int MaxIndexedPaymentChars = 256;

    /// <summary>Just after every failed partition: the end of a range query over them.</summary>
    public const string FailedEnd = "~failed.";

    /// <summary>The failed partition of the UTC day of <paramref name="at"/>.</summary>
    public static string FailedPartition(DateTimeOffset at) =>
        FailedPrefix + at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The failed row of <paramref name="eventId"/> for a failure written at <paramref name="at"/>.</summary>
    public static TableEntity FailedRow(string eventId, DateTimeOffset at) =>
        new(FailedPartition(at), TableKeys.Escape(eventId)) { ["EventId"] = eventId, ["At"] = at };

    /// <summary>Whether <paramref name="paymentId"/> is short enough to index (every real one is).</summary>
    public static bool Indexable(string? paymentId) =>
        paymentId is { Length: > 0 } && TableKeys.Escape(paymentId).Length <= MaxIndexedPaymentChars;

    /// <summary>The payment row of <paramref name="eventId"/>, about <paramref name="paymentId"/>, written at <paramref name="at"/>.</summary>
    public static TableEntity PaymentRow(string paymentId, string eventId, DateTimeOffset at) =>
        new(PaymentPartition(paymentId), TableKeys.Composite(paymentId, eventId)) { ["EventId"] = eventId, ["PaymentId"] = paymentId, ["At"] = at };

    /// <summary>The query for every payment row of <paramref name="paymentId"/>: one partition, one RowKey range.</summary>
    public static string PaymentFilter(string paymentId)
    {
        var escaped = TableKeys.Escape(paymentId);
        return TableClient.CreateQueryFilter(
            $"PartitionKey eq {PaymentPartition(paymentId)} and RowKey ge {escaped + "|"} and RowKey lt {escaped + "}"}"); // '}' follows '|'
    }

    /// <summary>The query for the failed rows of the days from <paramref name="since"/>'s (all days when null).</summary>
    public static string FailedFilter(DateTimeOffset? since) =>
        TableClient.CreateQueryFilter($"PartitionKey ge {(since is { } s ? FailedPartition(s) : FailedPrefix)} and PartitionKey lt {FailedEnd}");

    /// <summary>The query for the failed rows of the days before <paramref name="day"/>'s.</summary>
    public static string FailedBefore(DateTimeOffset day) =>
        TableClient.CreateQueryFilter($"PartitionKey ge {FailedPrefix} and PartitionKey lt {FailedPartition(day)}");

    /// <summary>The condition that keeps a query to the records' partitions, away from the index rows.</summary>
    public static string RecordsOnly => TableClient.CreateQueryFilter($"PartitionKey lt {Prefix}");

    /// <summary>The event a row points at: from its key where the key is reversible (a property cannot hold an unpaired surrogate), else its property.</summary>
    public static string? EventIdOf(TableEntity row)
    {
        var key = row.PartitionKey.StartsWith(PaymentPrefix, StringComparison.Ordinal) && row.RowKey.IndexOf('|', StringComparison.Ordinal) is var bar and >= 0
            ? row.RowKey[(bar + 1)..]
            : row.RowKey;
        return TableKeys.TryUnescape(key, out var id) ? id : row.GetString("EventId");
    }

    /// <summary>Whether the record read for <paramref name="row"/> still says what the row says.</summary>
    public static bool Matches(TableEntity row, ProcessedEventRecord? record) =>
        record is not null && (row.PartitionKey.StartsWith(FailedPrefix, StringComparison.Ordinal)
            ? record.State == ProcessingState.Failed && record.UpdatedAt is { } at && FailedPartition(at) == row.PartitionKey
            : string.Equals(record.PaymentId, row.GetString("PaymentId"), StringComparison.Ordinal));

    /// <summary>The index rows a record has when it is as <paramref name="record"/> says (to write on reindex, to delete with it).</summary>
    public static IEnumerable<TableEntity> RowsOf(ProcessedEventRecord record)
    {
        var at = record.UpdatedAt ?? record.CompletedAt ?? record.FirstSeenAt ?? DateTimeOffset.UnixEpoch;
        if (record.State == ProcessingState.Failed)
        {
            yield return FailedRow(record.EventId, at);
        }

        if (Indexable(record.PaymentId))
        {
            yield return PaymentRow(record.PaymentId!, record.EventId, at);
        }
    }

    private static string PaymentPartition(string paymentId) => PaymentPrefix + TableKeys.EventPartition(paymentId);
}
