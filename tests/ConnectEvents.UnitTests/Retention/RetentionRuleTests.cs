using Azure;
using ConnectEvents.Idempotence;
using ConnectEvents.Retention;

namespace ConnectEvents.UnitTests.Retention;

public sealed class RetentionRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetentionRule Rule = new(new RetentionOptions(), Now);

    private static ProcessedEventRecord Record(ProcessingState state, TimeSpan age, bool body = false) =>
        new("evt-1", state, "owner", null, 1, "payment.paid", "m", "p", "done", null, Now - age - TimeSpan.FromMinutes(1), Now - age, ETag.All)
        {
            UpdatedAt = Now - age,
            Body = body ? new ReadOnlyMemory<byte>([1, 2, 3]) : (ReadOnlyMemory<byte>?)null, // a bare null would become an empty memory
        };

    [Theory]
    [InlineData(ProcessingState.Completed, 30)]
    [InlineData(ProcessingState.Failed, 90)]
    [InlineData(ProcessingState.DeadLettered, 90)]
    public void AFinalRecordIsDeletedOnceItsStatesPeriodHasPassedAndNotADayBefore(ProcessingState state, int days)
    {
        Assert.Equal(RetentionAction.Delete, Rule.Decide(Record(state, TimeSpan.FromDays(days))));
        Assert.NotEqual(RetentionAction.Delete, Rule.Decide(Record(state, TimeSpan.FromDays(days - 1))));
    }

    [Fact]
    public void ARecordInProcessingIsNeverTouchedHoweverOld() =>
        Assert.Equal(RetentionAction.Keep, Rule.Decide(Record(ProcessingState.Processing, TimeSpan.FromDays(3650), body: true)));

    [Fact]
    public void ACompletedRecordLosesItsBodyAfterTheBodyPeriodButStays()
    {
        Assert.Equal(RetentionAction.DropBody, Rule.Decide(Record(ProcessingState.Completed, TimeSpan.FromDays(8), body: true)));
        Assert.Equal(RetentionAction.Keep, Rule.Decide(Record(ProcessingState.Completed, TimeSpan.FromDays(6), body: true)));
        Assert.Equal(RetentionAction.Keep, Rule.Decide(Record(ProcessingState.Completed, TimeSpan.FromDays(8), body: false)));
    }

    [Fact]
    public void AFailedRecordKeepsItsBodyForReplayUntilItIsDeleted() =>
        Assert.Equal(RetentionAction.Keep, Rule.Decide(Record(ProcessingState.Failed, TimeSpan.FromDays(60), body: true)));

    [Fact]
    public void NoRecordIsDeletedWithinTheDuplicateWindowEvenWithAShorterPeriodInTheRule()
    {
        // Options validation refuses such periods; the rule holds the window by itself too.
        var rule = new RetentionRule(new RetentionOptions { Completed = TimeSpan.FromDays(1), DuplicateWindow = TimeSpan.FromDays(7) }, Now);

        Assert.Equal(RetentionAction.Keep, rule.Decide(Record(ProcessingState.Completed, TimeSpan.FromDays(3))));
        Assert.Equal(RetentionAction.Delete, rule.Decide(Record(ProcessingState.Completed, TimeSpan.FromDays(7))));
    }

    [Fact]
    public void ARecordWrittenRecentlyIsYoungWhateverItsFirstSighting()
    {
        // Reopened for replay last hour, first seen long ago: the last write counts.
        var reopened = Record(ProcessingState.Failed, TimeSpan.FromDays(200)) with { UpdatedAt = Now - TimeSpan.FromHours(1) };

        Assert.Equal(RetentionAction.Keep, Rule.Decide(reopened));
    }

    [Fact]
    public void AQuarantineDayExpiresOnlyWhenItsLastMomentIsOlderThanThePeriod()
    {
        var lastKeptDay = DateOnly.FromDateTime(Now.UtcDateTime.AddDays(-90));

        Assert.True(Rule.QuarantineDayExpired(lastKeptDay.AddDays(-1)));
        Assert.False(Rule.QuarantineDayExpired(lastKeptDay));
    }

    [Fact]
    public void OnlyRecordsOlderThanTheShortestPeriodAreRead() =>
        Assert.Equal(Now - TimeSpan.FromDays(7), Rule.OldestUntouched);
}
