using Azure;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;

namespace ConnectEvents.UnitTests.Storage;

/// <summary>The create-once, create-again-when-deleted logic the queue publisher, quarantine store and tables share.</summary>
public sealed class CreateOnceTests
{
    private int _creations;
    private TaskCompletionSource _creation = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CreateOnce NewCreateOnce() => new(_ =>
    {
        Interlocked.Increment(ref _creations);
        return _creation.Task;
    });

    [Fact]
    public async Task ConcurrentCallersShareOneCreation()
    {
        var once = NewCreateOnce();
        var waits = Enumerable.Range(0, 10).Select(_ => once.EnsureAsync(CancellationToken.None)).ToArray();
        _creation.SetResult();
        await Task.WhenAll(waits);
        await once.EnsureAsync(CancellationToken.None);

        Assert.Equal(1, _creations);
    }

    [Fact]
    public async Task AFailedCreationIsTriedAgainByTheNextCaller()
    {
        var once = NewCreateOnce();
        _creation.SetException(new RequestFailedException(503, "busy"));
        await Assert.ThrowsAsync<RequestFailedException>(() => once.EnsureAsync(CancellationToken.None));

        _creation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _creation.SetResult();
        await once.EnsureAsync(CancellationToken.None);

        Assert.Equal(2, _creations);
    }

    [Fact]
    public async Task ACallerThatGivesUpDoesNotCancelTheCreationOthersWaitFor()
    {
        var once = NewCreateOnce();
        using var impatient = new CancellationTokenSource();
        var first = once.EnsureAsync(impatient.Token);
        var second = once.EnsureAsync(CancellationToken.None);

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        _creation.SetResult();
        await second;

        Assert.Equal(1, _creations);
    }

    [Fact]
    public async Task AResourceDeletedUnderneathIsCreatedAgainAndTheCallRunsOnceMore()
    {
        var once = NewCreateOnce();
        _creation.SetResult();
        var calls = 0;

        var result = await once.RunAsync(
            (_, _) => ++calls == 1 ? throw new RequestFailedException(404, "gone", "QueueNotFound", null) : Task.FromResult(calls),
            0, "QueueNotFound", CancellationToken.None);

        Assert.Equal(2, result);
        Assert.Equal(2, _creations);
    }

    [Fact]
    public async Task OtherFailuresOfTheCallAreNotRetried()
    {
        var once = NewCreateOnce();
        _creation.SetResult();
        var calls = 0;

        await Assert.ThrowsAsync<RequestFailedException>(() => once.RunAsync<int, int>(
            (_, _) => { calls++; throw new RequestFailedException(404, "no such blob", "BlobNotFound", null); },
            0, "ContainerNotFound", CancellationToken.None));

        Assert.Equal(1, calls);
        Assert.Equal(1, _creations);
    }

    [Theory]
    [InlineData(401, true)]
    [InlineData(403, true)]
    [InlineData(404, false)]
    [InlineData(503, false)]
    public void StorageRefusingTheAppIsAConfigurationError(int status, bool configurationError)
    {
        var error = EventPublishException.FromStorage("Storage queue 'q'", new RequestFailedException(status, "no", "SomeCode", null));

        Assert.Equal(configurationError, error.IsConfigurationError);
        Assert.Equal($"Storage queue 'q' did not accept the event: status {status} SomeCode", error.Message);
    }

    [Fact]
    public void AnAggregateFailureIsDescribedByItsLastAttempt() =>
        Assert.Equal("status 503 ServerBusy", StorageFailures.Describe(new AggregateException(
            new HttpRequestException("refused"), new RequestFailedException(503, "busy", "ServerBusy", null))));
}
