using System.Net;

namespace Connect.Simulator.Tests;

public sealed class FaultTests : SimulatorTestBase
{
    private const string TestConnection = "v1/1234/services/testconnection";

    [Fact]
    public async Task StatusFaultAnswersTheNextNCallsThenTheRealResponse()
    {
        State.SeedPayment(Merchant, "p1");
        State.InjectFault("/payments/p1", Fault.Status(503), times: 2);

        using var first = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1");
        using var second = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1");
        using var third = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1");

        var error = await SingleErrorAsync(first, 503, "9004", "SERVICE_UNAVAILABLE");
        Assert.Equal("IO_ERROR", error["category"]?.GetValue<string>());
        await SingleErrorAsync(second, 503, "9004", "SERVICE_UNAVAILABLE");
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal([503, 503, 200], State.Requests.Select(r => r.ResponseStatus));
        Assert.Equal(["status 503", "status 503", null], State.Requests.Select(r => r.Fault));
    }

    [Theory]
    [InlineData(500, "9000", "INTERNAL_SERVER_ERROR")]
    [InlineData(502, "9001", "BAD_GATEWAY")]
    [InlineData(503, "9004", "SERVICE_UNAVAILABLE")]
    [InlineData(410, "410", "SIMULATED_FAULT")]
    public async Task StatusFaultsCarryAConnectErrorBody(int status, string code, string id)
    {
        State.InjectFault("testconnection", Fault.Status(status));

        using var response = await SendSignedAsync(HttpMethod.Get, TestConnection);

        await SingleErrorAsync(response, status, code, id);
    }

    [Fact]
    public async Task StatusFaultWithABodyAndRetryAfterSendsThemAsGiven()
    {
        const string body = "{\"errorId\":\"e1\",\"errors\":[{\"code\":\"1409\",\"httpStatusCode\":409}]}";
        State.InjectFault("testconnection", Fault.Status(409, body, TimeSpan.FromSeconds(1.2)));

        using var response = await SendSignedAsync(HttpMethod.Get, TestConnection);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task FaultsApplyOnlyToMatchingPathsAndAreConsumedInOrder()
    {
        State.SeedPayment(Merchant, "p1");
        State.InjectFault("/capture", Fault.Status(500));
        State.InjectFault("/capture", Fault.Status(502));

        using var get = await SendSignedAsync(HttpMethod.Get, "v1/1234/payments/p1");
        using var first = await CaptureAsync("p1");
        using var second = await CaptureAsync("p1");
        using var third = await CaptureAsync("p1");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task UnauthenticatedCallsDoNotConsumeFaults()
    {
        State.InjectFault("testconnection", Fault.Status(503));

        using var unsigned = await Http.GetAsync(new Uri(Host.BaseAddress, TestConnection));
        using var signed = await SendSignedAsync(HttpMethod.Get, TestConnection);

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, signed.StatusCode);
    }

    [Fact]
    public async Task FaultedCallsWithAnIdempotenceKeyAreProcessedWhenRetried()
    {
        State.SeedPayment(Merchant, "p1");
        State.InjectFault("/capture", Fault.Status(503), times: 2);

        using var first = await CaptureAsync("p1", idempotenceKey: "k");
        using var second = await CaptureAsync("p1", idempotenceKey: "k");
        using var third = await CaptureAsync("p1", idempotenceKey: "k");

        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Null(Header(third, "X-GCS-Idempotence-Request-Timestamp"));
        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task DelayFaultAnswersNormallyAfterTheDelay()
    {
        State.SeedPayment(Merchant, "p1");
        State.InjectFault("/capture", Fault.Delay(TimeSpan.FromMilliseconds(200)));

        using var response = await CaptureAsync("p1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
        Assert.Equal("delay 200 ms", Assert.Single(State.Requests).Fault);
    }

    [Fact]
    public async Task ClientGivingUpDuringADelayLeavesNothingProcessed()
    {
        State.SeedPayment(Merchant, "p1");
        State.InjectFault("/capture", Fault.Delay(TimeSpan.FromSeconds(30)));
        using var impatient = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            SendSignedAsync(HttpMethod.Post, "v1/1234/payments/p1/capture", "{}", client: impatient));

        await WaitForRecordAsync();
        Assert.Equal(0, Assert.Single(State.Requests).ResponseStatus);
        Assert.Equal(0, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task DropAbortsTheConnectionWithoutProcessing()
    {
        State.SeedPayment(Merchant, "p1");
        State.InjectFault("/capture", Fault.Drop());

        await Assert.ThrowsAsync<HttpRequestException>(() => CaptureAsync("p1"));

        await WaitForRecordAsync();
        var recorded = Assert.Single(State.Requests);
        Assert.Equal(0, recorded.ResponseStatus);
        Assert.Equal("drop", recorded.Fault);
        Assert.Equal(0, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task DropAfterProcessingCapturesThenTheRetryWithTheKeyGetsTheReplay()
    {
        State.SeedPayment(Merchant, "p1");
        State.InjectFault("/capture", Fault.DropAfterProcessing());

        await Assert.ThrowsAsync<HttpRequestException>(() => CaptureAsync("p1", idempotenceKey: "lost"));
        using var retry = await CaptureAsync("p1", idempotenceKey: "lost");

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.NotNull(Header(retry, "X-GCS-Idempotence-Request-Timestamp"));
        Assert.Equal("CAPTURE_REQUESTED", (await JsonAsync(retry))["status"]?.GetValue<string>());
        Assert.Equal(1, State.CountCaptures(Merchant, "p1"));
    }

    [Fact]
    public async Task NonJsonFaultAnswersAnHtmlPage()
    {
        State.InjectFault("testconnection", Fault.NonJson(502));

        using var response = await SendSignedAsync(HttpMethod.Get, TestConnection);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/html", ContentType(response)?.MediaType);
        Assert.StartsWith("<html>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void InjectFaultRefusesNonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => State.InjectFault("/x", Fault.Drop(), times: 0));
        Assert.Throws<ArgumentNullException>(() => State.InjectFault("/x", null!));
    }

    private async Task WaitForRecordAsync()
    {
        // The server records the request when its handler finishes, which may be just after the client saw the abort.
        for (var i = 0; i < 500 && State.Requests.Count == 0; i++)
        {
            await Task.Delay(10);
        }
    }
}
