using System.Text;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>
/// Kestrel's own logs never print a function key: its Debug line for a rejected request quotes the request line, query
/// included, so the Kestrel categories are held at Information (bad requests at Warning) whatever the settings ask.
/// </summary>
public sealed class KestrelLogRedactionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // Each way a setting could ask for Kestrel's Debug lines: the category, a sub-category, a wildcard, a provider's own section.
    [Theory]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel", "Debug")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel.BadRequests", "Trace")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel*", "Trace")]
    [InlineData("Logging:TextLogsOnly:LogLevel:Microsoft", "Trace")]
    public async Task AMalformedRequestLineWithAKeyGets400AndKestrelsLogDoesNotPrintTheKey(string setting, string level)
    {
        await using var app = new WebhookApp(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            [setting] = level,
        });
        using var client = app.CreateAnonymousClient();
        var port = client.BaseAddress!.Port;

        var status = await RawHttp.SendAsync(port, Encoding.ASCII.GetBytes(
            $"POST /api/sessions?code={WebhookApp.FunctionKey} HTTP/1.1 junk\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"), TimeSpan.FromSeconds(10));
        // A well-formed request after it, so the log has lines of Kestrel's that are allowed: the filter is not just off.
        using var after = await client.GetAsync(new Uri("/api/webhooks/connect", UriKind.Relative));

        Assert.Equal(400, status);
        var logs = app.Logs.GetSnapshot();
        Assert.DoesNotContain(logs, l => (l.Message + l.Exception).Contains(WebhookApp.FunctionKey, StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Category?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true && l.Level < Microsoft.Extensions.Logging.LogLevel.Information);
        Assert.Contains(logs, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Debug); // Debug is on elsewhere
    }
}
