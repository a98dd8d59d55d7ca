using Azure;
using ConnectEvents.Idempotence;

namespace ConnectEvents.UnitTests.Idempotence;

/// <summary>The index rows' keys and the rule by which a row still matches its record.</summary>
public sealed class RecordIndexTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 23, 30, 0, TimeSpan.FromHours(-2)); // 01:30 UTC on the 8th

    [Fact]
    public void AFailedRowIsInThePartitionOfItsUtcDay()
    {
        var row = RecordIndex.FailedRow("evt/1", At);

        Assert.Equal(("~failed-20261208", "evt%2F1"), (row.PartitionKey, row.RowKey));
        Assert.Equal("evt/1", RecordIndex.EventIdOf(row));
    }

    [Fact]
    public void APaymentRowKeysThePaymentThenTheEventWithTheSeparatorEscapedInside()
    {
        var row = RecordIndex.PaymentRow("pay|1", "evt|2", At);

        Assert.Equal("pay%7C1|evt%7C2", row.RowKey);
        Assert.StartsWith(RecordIndex.PaymentPrefix, row.PartitionKey, StringComparison.Ordinal);
        Assert.Equal(RecordIndex.PaymentPrefix.Length + 3, row.PartitionKey.Length);
        Assert.Equal("evt|2", RecordIndex.EventIdOf(row));
    }

    [Fact]
    public void EveryIndexPartitionSortsAfterEveryRecordPartition()
    {
        Assert.True(string.CompareOrdinal("fff", RecordIndex.Prefix) < 0);
        Assert.True(string.CompareOrdinal(RecordIndex.FailedPartition(At), RecordIndex.FailedEnd) < 0);
        Assert.True(string.CompareOrdinal(RecordIndex.FailedEnd, RecordIndex.PaymentPrefix) < 0);
    }

    [Fact]
    public void AFailedRowMatchesOnlyAFailedRecordLastWrittenOnItsDay()
    {
        var row = RecordIndex.FailedRow("evt-1", At);

        Assert.True(RecordIndex.Matches(row, Record(ProcessingState.Failed, At.AddMinutes(20))));
        Assert.False(RecordIndex.Matches(row, Record(ProcessingState.Failed, At.AddDays(1)))); // failed again another day
        Assert.False(RecordIndex.Matches(row, Record(ProcessingState.Completed, At))); // replayed and completed
        Assert.False(RecordIndex.Matches(row, Record(ProcessingState.Processing, At))); // reopened, or a write in flight
        Assert.False(RecordIndex.Matches(row, null)); // gone
    }

    [Fact]
    public void APaymentRowMatchesARecordOfThatPaymentInAnyState()
    {
        var row = RecordIndex.PaymentRow("pay-1", "evt-1", At);

        Assert.True(RecordIndex.Matches(row, Record(ProcessingState.Processing, At) with { PaymentId = "pay-1" }));
        Assert.False(RecordIndex.Matches(row, Record(ProcessingState.Completed, At) with { PaymentId = "pay-2" }));
    }

    [Fact]
    public void ARecordHasAFailedRowOnlyWhenFailedAndAPaymentRowOnlyWithAnIndexablePaymentId()
    {
        Assert.Equal(2, RecordIndex.RowsOf(Record(ProcessingState.Failed, At) with { PaymentId = "pay-1" }).Count());
        Assert.Equal(["~payment-"], RecordIndex.RowsOf(Record(ProcessingState.Completed, At) with { PaymentId = "pay-1" }).Select(r => r.PartitionKey[..9]));
        Assert.Empty(RecordIndex.RowsOf(Record(ProcessingState.Completed, At)));
        Assert.Empty(RecordIndex.RowsOf(Record(ProcessingState.Completed, At) with { PaymentId = new string('p', 300) }));
    }

    [Fact]
    public void ThePaymentQueryIsOnePartitionAndTheRangeOfThatPaymentsRows()
    {
        var filter = RecordIndex.PaymentFilter("pay-1");

        Assert.Contains($"PartitionKey eq '{RecordIndex.PaymentRow("pay-1", "e", At).PartitionKey}'", filter, StringComparison.Ordinal);
        Assert.Contains("RowKey ge 'pay-1|' and RowKey lt 'pay-1}'", filter, StringComparison.Ordinal);
    }

    private static ProcessedEventRecord Record(ProcessingState state, DateTimeOffset updated) =>
        new("evt-1", state, null, null, 1, "payment.pending_capture", "1234", null, null, null, updated, updated, ETag.All) { UpdatedAt = updated };
}
