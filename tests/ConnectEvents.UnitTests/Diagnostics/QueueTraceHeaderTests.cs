using System.Diagnostics;
using System.Text;
using ConnectEvents.Diagnostics;

namespace ConnectEvents.UnitTests.Diagnostics;

/// <summary>The trace line before a queue message's event bytes: written, read, and never in the way of the exact bytes.</summary>
public sealed class QueueTraceHeaderTests
{
    private static readonly ActivityContext Context = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
    private static readonly byte[] Event = Encoding.UTF8.GetBytes("""{"id":"evt-1","type":"payment.paid"}""");

    [Theory]
    [InlineData(false, "#traceparent=")]
    [InlineData(true, "#tracelink=")]
    public void AHeaderReadsBackWithTheEventsExactBytesAfterIt(bool link, string marker)
    {
        var message = QueueTraceHeader.Prepend(new QueueTraceHeader(Context, link), Event);

        Assert.StartsWith(marker + QueueTraceHeader.TraceParent(Context) + "\n", Encoding.ASCII.GetString(message.Span), StringComparison.Ordinal);
        var header = QueueTraceHeader.Read(message, out var body);
        Assert.Equal(new QueueTraceHeader(Context, link), header);
        Assert.Equal(Event, body.ToArray());
        Assert.True(message.Length <= Event.Length + QueueTraceHeader.MaxLength);
    }

    [Fact]
    public void AMessageWithoutAHeaderIsItsOwnBody()
    {
        Assert.Null(QueueTraceHeader.Read(Event, out var body));
        Assert.Equal(Event, body.ToArray());
        Assert.Equal(Event, QueueTraceHeader.Prepend(null, Event).ToArray());
    }

    [Theory]
    [InlineData("#traceparent=00-zz-00f067aa0ba902b7-01\n{}")]
    [InlineData("#traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01{}")]
    [InlineData("#tracelink=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    [InlineData("#other=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n{}")]
    public void AMalformedHeaderIsLeftInTheBodyForTheProcessorToRefuse(string text)
    {
        var message = Encoding.ASCII.GetBytes(text);

        Assert.Null(QueueTraceHeader.Read(message, out var body));
        Assert.Equal(message, body.ToArray());
    }

    [Fact]
    public void AStoredTraceParentBecomesALink()
    {
        var header = QueueTraceHeader.LinkTo(QueueTraceHeader.TraceParent(Context));

        Assert.Equal(new QueueTraceHeader(Context, true), header);
        Assert.Null(QueueTraceHeader.LinkTo("not a traceparent"));
        Assert.Null(QueueTraceHeader.LinkTo((string?)null));
    }
}
