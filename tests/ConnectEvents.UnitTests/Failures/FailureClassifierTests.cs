using System.Net;
using Azure;
using ConnectEvents.ConnectApi;
using ConnectEvents.Failures;
using ConnectEvents.Idempotence;
using ConnectEvents.Storage;

namespace ConnectEvents.UnitTests.Failures;

/// <summary>Every exception the product meets, and what it means: one table for processing, sessions and storage.</summary>
public sealed class FailureClassifierTests
{
    private const string ConnectBody = """{"errorId":"e-1","errors":[{"code":"21000120"}]}""";

    public static TheoryData<string, Func<Exception>, bool, FailureClass> Table => new()
    {
        // case, failure, caller cancelled → class
        { "Connect 400 validation", () => Connect(400), false, FailureClass.Permanent },
        { "Connect 402 declined", () => Connect(402), false, FailureClass.Permanent },
        { "Connect 403 authorization", () => Connect(403), false, FailureClass.Permanent },
        { "Connect 404 reference", () => Connect(404), false, FailureClass.Permanent },
        { "Connect 409 conflict", () => Connect(409), false, FailureClass.Permanent },
        { "Connect 410 gone", () => Connect(410), false, FailureClass.Permanent },
        { "Connect 418 unknown", () => Connect(418), false, FailureClass.Permanent },
        { "Connect 409 1409 with a key: still running", () => ConnectApiException.FromResponse(HttpStatusCode.Conflict, """{"errors":[{"code":"1409"}]}""", "k", null), false, FailureClass.Transient },
        { "Connect 429 throttled", () => Connect(429), false, FailureClass.Transient },
        { "Connect 500 platform", () => Connect(500), false, FailureClass.Transient },
        { "Connect 502 downstream", () => Connect(502), false, FailureClass.Transient },
        { "Connect 503 unavailable", () => Connect(503), false, FailureClass.Transient },
        { "Connect 504 gateway timeout", () => Connect(504), false, FailureClass.Transient },
        { "Connect not reached", () => ConnectApiException.Communication("GET: timeout", new TimeoutException(), null), false, FailureClass.Transient },
        { "Connect 200 without what it promises", () => new ConnectApiException(ConnectErrorKind.Unknown, 200, "no token id"), false, FailureClass.Permanent },
        { "Table store unavailable", () => new StoreUnavailableException("down"), false, FailureClass.Transient },
        { "storage: no response (status 0)", () => new RequestFailedException(0, "x"), false, FailureClass.Transient },
        { "storage 408", () => new RequestFailedException(408, "x"), false, FailureClass.Transient },
        { "storage 429 throttled", () => new RequestFailedException(429, "x"), false, FailureClass.Transient },
        { "storage 500", () => new RequestFailedException(500, "x"), false, FailureClass.Transient },
        { "storage 503 busy", () => new RequestFailedException(503, "x"), false, FailureClass.Transient },
        { "storage 409 table being deleted", () => new RequestFailedException(409, "x", "TableBeingDeleted", null), false, FailureClass.Transient },
        { "storage 400", () => new RequestFailedException(400, "x"), false, FailureClass.Permanent },
        { "storage 403 access denied", () => new RequestFailedException(403, "x"), false, FailureClass.Permanent },
        { "storage 404", () => new RequestFailedException(404, "x"), false, FailureClass.Permanent },
        { "storage 409", () => new RequestFailedException(409, "x"), false, FailureClass.Permanent },
        { "storage 412", () => new RequestFailedException(412, "x"), false, FailureClass.Permanent },
        { "network failure", () => new HttpRequestException("refused"), false, FailureClass.Transient },
        { "connection reset", () => new IOException("reset"), false, FailureClass.Transient },
        { "timeout", () => new TimeoutException(), false, FailureClass.Transient },
        { "SDK timeout (not the caller's token)", () => new TaskCanceledException(), false, FailureClass.Transient },
        { "the caller's cancellation", () => new OperationCanceledException(), true, FailureClass.Cancelled },
        { "lease lost to another delivery", () => new LeaseLostException(), false, FailureClass.LeaseLost },
        { "retries exhausted, every attempt transient", () => new AggregateException(new RequestFailedException(503, "a"), new HttpRequestException("b")), false, FailureClass.Transient },
        { "retries exhausted, one attempt not transient", () => new AggregateException(new RequestFailedException(503, "a"), new InvalidOperationException("b")), false, FailureClass.Unknown },
        { "an empty aggregate", () => new AggregateException(), false, FailureClass.Unknown },
        { "a bug", () => new InvalidOperationException("bug"), false, FailureClass.Unknown },
        { "a format error", () => new FormatException(), false, FailureClass.Unknown },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void EachFailureIsClassifiedOnce(string @case, Func<Exception> failure, bool callerCancelled, FailureClass expected)
    {
        using var caller = new CancellationTokenSource();
        if (callerCancelled)
        {
            caller.Cancel();
        }

        var actual = FailureClassifier.Classify(failure(), caller.Token);

        Assert.True(expected == actual, $"{@case}: expected {expected}, got {actual}");
        Assert.Equal(expected == FailureClass.Transient, FailureClassifier.IsTransient(failure(), caller.Token));
    }

    [Theory]
    [InlineData(400, "connect-validation")]
    [InlineData(402, "connect-declined")]
    [InlineData(404, "connect-reference")]
    public void PermanentConnectFailuresAreRecordedUnderTheirKind(int status, string reason) =>
        Assert.Equal(reason, FailureClassifier.PermanentReason(Connect(status)));

    [Fact]
    public void PermanentStorageFailuresAreRecordedUnderTheirStatus() =>
        Assert.Equal("storage-403", FailureClassifier.PermanentReason(new RequestFailedException(403, "denied")));

    private static ConnectApiException Connect(int status) => ConnectApiException.FromResponse((HttpStatusCode)status, ConnectBody, null, null);
}
