using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Simulator.Tests;

public sealed class IdempotenceTests : SimulatorTestBase
{
    private const string TimestampHeader = "X-GCS-Idempotence-Request-Timestamp";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    protected override DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task RepeatWithTheSameKeyReplaysTheFirstResponseWithItsTimestampAndCapturesOnce()
    {
        State.SeedPayment(Merchant, "p1");
        var firstArrival = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        using var first = await CaptureAsync("p1", idempotenceKey: "capture-p1");
        _time.Advance(TimeSpan.FromSeconds(30));
        using var repeat = await CaptureAsync("p1", idempotenceKey: "capture-p1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Null(Header(first, TimestampHeader));
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.Equal(firstArrival, Header(repeat, TimestampHeader));
        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
        Assert.Equal(2, State.Count("POST", "/payments/p1/capture"));
        Assert.Equal([false, true], State.Requests.Select(r => r.IdempotentReplay));
    }

    [Fact]
    public async Task ErrorResponsesAreReplayedToo()
    {
        State.SeedPayment(Merchant, "p1", status: "CANCELLED");
        using var first = await CaptureAsync("p1", idempotenceKey: "k");
        State.SetPaymentStatus(Merchant, "p1", "PENDING_CAPTURE");

        using var repeat = await CaptureAsync("p1", idempotenceKey: "k");

        Assert.Equal(HttpStatusCode.BadRequest, repeat.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.Equal(0, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task ARefusedCaptureIsReplayedUnderItsKeyAfterTheCauseIsFixedAndANewKeyCaptures()
    {
        State.SeedPayment(Merchant, "p1");
        State.RefuseCaptures(Merchant, "p1", "acquirer down for this merchant");
        using var refused = await CaptureAsync("p1", idempotenceKey: "k");
        Assert.True(State.AllowCaptures(Merchant, "p1"));

        using var sameKey = await CaptureAsync("p1", idempotenceKey: "k");
        var afterSameKey = State.CountCaptures(Merchant, "p1");
        using var newKey = await CaptureAsync("p1", idempotenceKey: "k2");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("\"1012\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(await refused.Content.ReadAsStringAsync(), await sameKey.Content.ReadAsStringAsync());
        Assert.Equal(0, afterSameKey);
        Assert.Equal(HttpStatusCode.OK, newKey.StatusCode);
        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
        Assert.False(State.AllowCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task TokenizeReplayKeepsTheCreatedStatusAndLocation()
    {
        State.SeedPayment(Merchant, "p1");

        using var first = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1/tokenize", "{}", idempotenceKey: "tok-p1");
        using var repeat = await SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1/tokenize", "{}", idempotenceKey: "tok-p1");

        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.NotNull(Header(repeat, TimestampHeader));
        Assert.Equal(1, State.CountTokenizations(Merchant, "p1"));
    }

    [Theory]
    [InlineData("b", 0)]
    [InlineData("a", (24 * 3600) + 1)]
    public async Task ADifferentKeyOrAKeyOlderThan24HoursIsANewRequest(string secondKey, int secondsLater)
    {
        State.SeedPayment(Merchant, "p1", amount: 1000);
        using var first = await CaptureAsync("p1", "{\"amount\":100,\"isFinal\":false}", idempotenceKey: "a");
        _time.Advance(TimeSpan.FromSeconds(secondsLater));

        using var second = await CaptureAsync("p1", "{\"amount\":100,\"isFinal\":false}", idempotenceKey: secondKey);

        Assert.Null(Header(second, TimestampHeader));
        Assert.Equal(2, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task TheSameKeyForAnotherMerchantIsNotAReplay()
    {
        State.SeedPayment(Merchant, "p1");
        State.SeedPayment("5678", "p1");

        using var first = await CaptureAsync("p1", idempotenceKey: "same");
        using var other = await SendSignedAsync(HttpMethod.Post, "v1/5678/payments/p1/capture", "{}", idempotenceKey: "same");

        Assert.Null(Header(other, TimestampHeader));
        Assert.Equal(1, State.CountCaptures("5678", "p1"));
    }

    [Fact]
    public async Task KeysOnGetRequestsAreIgnored()
    {
        State.SeedPayment(Merchant, "p1");
        using var first = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1", idempotenceKey: "g");
        State.SetPaymentStatus(Merchant, "p1", "CAPTURED");

        using var second = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1", idempotenceKey: "g");

        Assert.Null(Header(second, TimestampHeader));
        Assert.Equal("CAPTURED", (await JsonAsync(second))["status"]?.GetValue<string>());
    }

    [Fact]
    public async Task ConcurrentRepeatsWhileTheFirstIsInFlightGet409WithExactlyOneError1409()
    {
        State.SeedPayment(Merchant, "p1");
        State.IdempotentProcessingDelay = TimeSpan.FromSeconds(2);
        var firstArrival = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        var first = CaptureAsync("p1", idempotenceKey: "busy");
        await WaitUntilAsync(() => State.Requests.Count == 0 && State.IsIdempotenceKeyInFlight(Merchant, "busy"));
        using var conflict = await CaptureAsync("p1", idempotenceKey: "busy");
        var others = await Task.WhenAll(Enumerable.Range(0, 49).Select(_ => CaptureAsync("p1", idempotenceKey: "busy")));
        using var original = await first;

        await SingleErrorAsync(conflict, 409, "1409", "DUPLICATE_REQUEST_IN_PROGRESS");
        Assert.Equal(firstArrival, Header(conflict, TimestampHeader));
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Null(Header(original, TimestampHeader));
        var originalBody = await original.Content.ReadAsStringAsync();
        foreach (var other in others)
        {
            // Each repeat is either refused while in flight or, if it arrived after the first finished, a replay.
            Assert.Equal(firstArrival, Header(other, TimestampHeader));
            if (other.StatusCode == HttpStatusCode.Conflict)
            {
                await SingleErrorAsync(other, 409, "1409", "DUPLICATE_REQUEST_IN_PROGRESS");
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, other.StatusCode);
                Assert.Equal(originalBody, await other.Content.ReadAsStringAsync());
            }

            other.Dispose();
        }

        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
        using var afterwards = await CaptureAsync("p1", idempotenceKey: "busy");
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        Assert.Equal(originalBody, await afterwards.Content.ReadAsStringAsync());
    }

    protected override SimulatorOptions CreateOptions() => new() { TimeProvider = _time };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "condition not reached");
    }
}
