using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Connect.Simulator.Tests;

public sealed class LoggingTests : SimulatorTestBase
{
    private readonly FakeLoggerProvider _logs = new();

    [Fact]
    public async Task EachApiCallLogsOneInformationLineNamingTheOperationAndReplay()
    {
        State.SeedPayment(Merchant, "pay-77");

        using var first = await CaptureAsync("pay-77", idempotenceKey: "k");
        using var repeat = await CaptureAsync("pay-77", idempotenceKey: "k");
        using var unsigned = await Http.GetAsync(new Uri(Host.BaseAddress, "v1/1234/payments/pay-77"));

        var lines = _logs.Collector.GetSnapshot().Where(l => l.Category == "Connect.Simulator.ConnectApi").ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(LogLevel.Information, l.Level));
        Assert.Equal("POST /v1/1234/payments/pay-77/capture -> 200: capture for payment pay-77; idempotent replay: no", lines[0].Message);
        Assert.Equal("POST /v1/1234/payments/pay-77/capture -> 200: capture for payment pay-77; idempotent replay: yes", lines[1].Message);
        Assert.Equal("GET /v1/1234/payments/pay-77 -> 401: get payment pay-77; idempotent replay: no; authentication failed: Authorization header missing", lines[2].Message);
        Assert.DoesNotContain(_logs.Collector.GetSnapshot(), l => l.Message.Contains(SimulatorHost.DefaultSecretApiKey, StringComparison.Ordinal));
    }

    protected override SimulatorOptions CreateOptions() => new() { LoggerProvider = _logs };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _logs.Dispose();
        }
    }
}
