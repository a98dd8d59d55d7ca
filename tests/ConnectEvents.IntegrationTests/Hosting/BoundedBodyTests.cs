using ConnectEvents.Functions.Hosting;
using ConnectEvents.Hosting;
using Microsoft.AspNetCore.Http;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// The webhook's body reader commits memory only for bytes that arrived, enforces the limit as they do, and holds its
/// reservation in the process's body budget exactly as long as its buffer: refused unread when it does not fit, given back on every path.
/// </summary>
public sealed class BoundedBodyTests
{
    [Fact]
    public async Task AnAnnouncedLargeBodyThatSendsLittleHoldsOnlyASmallBuffer()
    {
        // Announces 1 MiB (the webhook's limit) but sends 10 bytes: the buffer must not be sized by the announcement.
        var context = Context(new byte[10], contentLength: 1024 * 1024);

        using var body = await BoundedBody.ReadAsync(context, 1024 * 1024, Budget(), CancellationToken.None);

        Assert.False(body.IsTooLarge);
        Assert.Equal(10, body.Bytes.Length);
        Assert.True(body.Capacity <= BoundedBody.InitialBuffer * 2, $"buffer of {body.Capacity} bytes for 10 received");
    }

    [Fact]
    public async Task ABodyGrowsWithTheBytesReceivedAndKeepsThemExactly()
    {
        var sent = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        using var body = await BoundedBody.ReadAsync(Context(sent, contentLength: null), 200_000, Budget(), CancellationToken.None);

        Assert.Equal(sent, body.Bytes.ToArray());
        Assert.True(body.Capacity < 2 * 131_072 + 1, $"buffer of {body.Capacity} bytes for {sent.Length}");
    }

    [Fact]
    public async Task BytesPastTheLimitAreRefusedAsTheyArriveWhateverWasAnnounced()
    {
        using var body = await BoundedBody.ReadAsync(Context(new byte[5000], contentLength: 100), 4096, Budget(), CancellationToken.None);
        Assert.True(body.IsTooLarge);
    }

    [Fact]
    public async Task ABodyThatDoesNotFitTheBudgetIsRefusedWithoutReadingAByte()
    {
        var budget = new RequestBodyBudget(100_000, 1024, 0);
        Assert.True(budget.TryReserve(60_000));
        var context = Context(new byte[50_000], contentLength: 50_000);

        using (var body = await BoundedBody.ReadAsync(context, 1024 * 1024, budget, CancellationToken.None))
        {
            Assert.True(body.IsOverBudget);
            Assert.False(body.IsTooLarge);
            Assert.Equal(0, body.FailedStatus);
            Assert.Equal(0, context.Request.Body.Position);
        }

        Assert.Equal(60_000, budget.UsedBytes);
    }

    [Fact]
    public async Task TheReservationIsTheDeclaredLengthOrTheLimitWhenChunkedAndIsHeldUntilDispose()
    {
        var budget = Budget();
        var declared = await BoundedBody.ReadAsync(Context(new byte[300], contentLength: 300), 4096, budget, CancellationToken.None);
        Assert.Equal(300, budget.UsedBytes);
        var chunked = await BoundedBody.ReadAsync(Context(new byte[300], contentLength: null), 4096, budget, CancellationToken.None);
        Assert.Equal(300 + 4096, budget.UsedBytes);

        declared.Dispose();
        chunked.Dispose();

        Assert.Equal(0, budget.UsedBytes);
    }

    [Fact]
    public async Task ARefusedOversizeBodyGivesItsReservationBack()
    {
        var budget = Budget();

        using var body = await BoundedBody.ReadAsync(Context(new byte[5000], contentLength: null), 4096, budget, CancellationToken.None);

        Assert.True(body.IsTooLarge);
        Assert.Equal(0, budget.UsedBytes);
    }

    [Fact]
    public async Task ABrokenOrCancelledUploadGivesItsReservationBack()
    {
        var budget = Budget();
        var broken = new DefaultHttpContext();
        broken.Request.Body = new FailingStream(new IOException("connection reset"));
        broken.Request.ContentLength = 2000;
        var cancelled = new DefaultHttpContext();
        cancelled.Request.Body = new FailingStream(new OperationCanceledException());
        cancelled.Request.ContentLength = 2000;

        await Assert.ThrowsAsync<IOException>(async () => (await BoundedBody.ReadAsync(broken, 4096, budget, CancellationToken.None)).Dispose());
        await Assert.ThrowsAsync<OperationCanceledException>(async () => (await BoundedBody.ReadAsync(cancelled, 4096, budget, CancellationToken.None)).Dispose());

        Assert.Equal(0, budget.UsedBytes);
    }

    private static RequestBodyBudget Budget() => new(16 * 1024 * 1024, 64 * 1024, 1024 * 1024);

    private static DefaultHttpContext Context(byte[] bytes, long? contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = contentLength;
        return context;
    }

    private sealed class FailingStream(Exception failure) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);
    }
}
