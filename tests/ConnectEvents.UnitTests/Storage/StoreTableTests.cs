using Azure;
using ConnectEvents.Storage;
using ConnectEvents.Tokens;

namespace ConnectEvents.UnitTests.Storage;

public sealed class StoreTableTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public void ServerErrorsThrottlingAndNetworkFailuresAreTransient(int status) =>
        Assert.True(StoreTable.IsTransient(new RequestFailedException(status, "x"), CancellationToken.None));

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(412)]
    public void ClientErrorsAreNotTransient(int status) =>
        Assert.False(StoreTable.IsTransient(new RequestFailedException(status, "x"), CancellationToken.None));

    [Fact]
    public void ATableStillBeingDeletedIsTransient() =>
        Assert.True(StoreTable.IsTransient(new RequestFailedException(409, "x", "TableBeingDeleted", null), CancellationToken.None));

    [Fact]
    public void SdkTimeoutIsTransientButTheCallersCancellationIsNot()
    {
        Assert.True(StoreTable.IsTransient(new TaskCanceledException(), CancellationToken.None));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.False(StoreTable.IsTransient(new TaskCanceledException(), cancelled.Token));
    }

    [Fact]
    public void ExhaustedRetriesAreTransientOnlyWhenEveryAttemptWas()
    {
        Assert.True(StoreTable.IsTransient(new AggregateException(new RequestFailedException(503, "a"), new HttpRequestException("b")), CancellationToken.None));
        Assert.False(StoreTable.IsTransient(new AggregateException(new RequestFailedException(503, "a"), new InvalidOperationException("b")), CancellationToken.None));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("************1234", "************1234")]
    [InlineData("411111XXXXXX1111", "******XXXXXX1111")]
    [InlineData("4111 1111 1111 1111", "**** **** **** 1111")]
    [InlineData("1234", "1234")]
    public void StoredCardNumbersKeepAtMostTheLastFourDigits(string? card, string? stored) =>
        Assert.Equal(stored, TableTokenVault.MaskCard(card));
}
