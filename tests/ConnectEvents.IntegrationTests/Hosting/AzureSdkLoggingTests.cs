using System.Net;
using System.Text;
using System.Text.Json;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Webhooks;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// The dev host listens to the Azure SDK's event sources at Warning only. The WebJobs Storage extension's own log forwarder
/// listens at Verbose, which makes every Storage, Table and Service Bus request format its headers into events the log
/// filter drops (about a tenth of the dev host's allocations per processed event, measured by <c>load floor</c>). Checked
/// in a dev host process of its own: an event source's listeners are process-wide.
/// </summary>
public sealed class AzureSdkLoggingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task AfterTheListenerStartedAndAWebhookWasQueuedTheAzureSdkIsHeardAtWarningOnly()
    {
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, "k", "s");
        settings["Events__QueueName"] = AzuriteFixture.UniqueName("sdklog");
        settings["DevHost__ReportRuntime"] = "true";
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var body = SampleEvents.Build("payment.paid", "1234", "pay-log", "evt-log");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes("s")));
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", "k");

        using var response = await http.SendAsync(request); // a queue send through the Azure SDK, after the listener's clients exist
        Assert.True(response.StatusCode == HttpStatusCode.OK, app.Output);
        using var report = JsonDocument.Parse(await http.GetStringAsync(new Uri("/_devhost/runtime", UriKind.Relative)));

        Assert.Equal("Warning", report.RootElement.GetProperty("azureSdkEvents").GetString());
    }
}
