using ConnectEvents.ConnectApi;
using ConnectEvents.Sessions;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.UnitTests.Sessions;

/// <summary>The table from Connect's answers (response-codes seed) to ours, row by row.</summary>
public sealed class ConnectFailureMapTests
{
    public static TheoryData<string, int?, string?, SessionOperation, int, LogLevel> Table => new()
    {
        // case, Connect status (null: no response), error code, operation → our status, log level
        { "timeout or network failure", null, null, SessionOperation.CreateSession, 503, LogLevel.Warning },
        { "our credentials refused (401)", 401, null, SessionOperation.CreateSession, 502, LogLevel.Error },
        { "our credentials refused (403)", 403, null, SessionOperation.CreateSession, 502, LogLevel.Error },
        { "our credentials refused on delete", 403, null, SessionOperation.DeleteToken, 502, LogLevel.Error },
        { "validation", 400, "21000020", SessionOperation.CreateSession, 400, LogLevel.Warning },
        { "declined", 402, null, SessionOperation.CreateSession, 502, LogLevel.Error },
        { "teapot", 418, null, SessionOperation.CreateSession, 502, LogLevel.Error },
        { "not found on create", 404, null, SessionOperation.CreateSession, 502, LogLevel.Error },
        { "token already gone", 404, null, SessionOperation.DeleteToken, 204, LogLevel.Information },
        { "token removed", 410, null, SessionOperation.DeleteToken, 204, LogLevel.Information },
        { "idempotent request still running", 409, "1409", SessionOperation.DeleteToken, 503, LogLevel.Warning },
        { "other conflict", 409, "300450", SessionOperation.CreateSession, 409, LogLevel.Warning },
        { "1409 without a key is an ordinary conflict", 409, "1409", SessionOperation.CreateSession, 409, LogLevel.Warning },
        { "platform error", 500, null, SessionOperation.CreateSession, 503, LogLevel.Warning },
        { "downstream error", 502, null, SessionOperation.CreateSession, 503, LogLevel.Warning },
        { "unavailable", 503, null, SessionOperation.DeleteToken, 503, LogLevel.Warning },
        { "gateway timeout", 504, null, SessionOperation.CreateSession, 503, LogLevel.Warning },
        { "success status with a body we cannot read", 201, null, SessionOperation.CreateSession, 502, LogLevel.Error },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void ConnectFailuresMapFromTheCallersPointOfView(string @case, int? connectStatus, string? code, SessionOperation operation, int status, LogLevel level)
    {
        var failure = Failure(connectStatus, code, operation);

        var answer = ConnectFailureMap.Map(failure, operation);

        Assert.True(status == answer.Status, $"{@case}: expected {status}, got {answer.Status}");
        Assert.True(level == answer.Level, $"{@case}: expected {level}, got {answer.Level}");
        Assert.Equal(status == 503, answer.RetryLater);
        Assert.Equal(status is 400 or 409, answer.ShowsConnectErrors);
    }

    private static ConnectApiException Failure(int? status, string? code, SessionOperation operation)
    {
        var key = operation == SessionOperation.DeleteToken ? "ce-delete-token-k" : null;
        if (status is null)
        {
            return ConnectApiException.Communication("GET /v1/m/x: timeout", new TimeoutException(), key);
        }

        if (status is >= 200 and < 300)
        {
            return new ConnectApiException(ConnectErrorKind.Unknown, status, "Connect answered with a body that is not the expected JSON.");
        }

        var body = code is null ? null : $$"""{"errorId":"e-1","errors":[{"code":"{{code}}","id":"SOME_ERROR","message":"not for callers"}]}""";
        return ConnectApiException.FromResponse((System.Net.HttpStatusCode)status.Value, body, key, null);
    }
}
