using System.Text;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>Request logs, even at Trace with ASP.NET Core's own request logging asked for, never carry a query string's key.</summary>
public sealed class RequestLogRedactionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task AFunctionKeySentAsCodeNeverReachesTheLogsAtAnyLevel()
    {
        await using var app = new WebhookApp(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Trace",
        });
        using var client = app.CreateAnonymousClient();

        using var session = await client.PostAsync($"/api/sessions?code={WebhookApp.FunctionKey}", new StringContent("{}", Encoding.UTF8, "application/json"));
        using var tokens = await client.GetAsync($"/api/customers/c-1/tokens?code={WebhookApp.MasterKey}");
        using var webhook = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-log"));

        var logs = app.Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Message.Contains("/api/sessions", StringComparison.Ordinal)); // the request log is on
        Assert.DoesNotContain(logs, l => l.Message.Contains(WebhookApp.FunctionKey, StringComparison.Ordinal) || l.Message.Contains(WebhookApp.MasterKey, StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Message.Contains("code=", StringComparison.Ordinal));
    }
}
