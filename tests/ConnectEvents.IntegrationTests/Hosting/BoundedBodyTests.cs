using ConnectEvents.Functions.Hosting;
using Microsoft.AspNetCore.Http;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>The webhook's body reader commits memory only for bytes that arrived, and enforces the limit as they do.</summary>
public sealed class BoundedBodyTests
{
    [Fact]
    public async Task AnAnnouncedLargeBodyThatSendsLittleHoldsOnlyASmallBuffer()
    {
        // Announces 1 MiB (the webhook's limit) but sends 10 bytes: the buffer must not be sized by the announcement.
        var context = Context(new byte[10], contentLength: 1024 * 1024);

        using var body = await BoundedBody.ReadAsync(context, 1024 * 1024, CancellationToken.None);

        Assert.False(body.IsTooLarge);
        Assert.Equal(10, body.Bytes.Length);
        Assert.True(body.Capacity <= BoundedBody.InitialBuffer * 2, $"buffer of {body.Capacity} bytes for 10 received");
    }

    [Fact]
    public async Task ABodyGrowsWithTheBytesReceivedAndKeepsThemExactly()
    {
        var sent = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        using var body = await BoundedBody.ReadAsync(Context(sent, contentLength: null), 200_000, CancellationToken.None);

        Assert.Equal(sent, body.Bytes.ToArray());
        Assert.True(body.Capacity < 2 * 131_072 + 1, $"buffer of {body.Capacity} bytes for {sent.Length}");
    }

    [Fact]
    public async Task BytesPastTheLimitAreRefusedAsTheyArriveWhateverWasAnnounced()
    {
        using var body = await BoundedBody.ReadAsync(Context(new byte[5000], contentLength: 100), 4096, CancellationToken.None);
        Assert.True(body.IsTooLarge);
    }

    private static DefaultHttpContext Context(byte[] bytes, long? contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = contentLength;
        return context;
    }
}
