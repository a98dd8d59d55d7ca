using System.Diagnostics.Tracing;
using System.Net;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// The dev host listens to the Azure SDK's event sources at Warning only. The WebJobs Storage extension's own log forwarder
/// listens at Verbose, which makes every Storage, Table and Service Bus request format its headers into events the log
/// filter drops (about a tenth of the dev host's allocations per processed event, measured by <c>load floor</c>).
/// </summary>
public sealed class AzureSdkLoggingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task AfterRequestsTheAzureCoreEventSourceIsEnabledForWarningsButNotForEachRequest()
    {
        await using var app = new WebhookApp(azurite.ConnectionString);
        using var response = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-log", "evt-log"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var core = AzureCore();

        Assert.True(core.IsEnabled(EventLevel.Warning, EventKeywords.All), "Azure SDK warnings no longer reach the log");
        Assert.False(core.IsEnabled(EventLevel.Informational, EventKeywords.All), "something listens to every Azure SDK request again");
    }

    [Fact]
    public async Task TheExtensionsLogForwarderStaysSilentWhenTheExtensionStartsIt()
    {
        await using var app = new WebhookApp(azurite.ConnectionString);
        using var response = await app.PostSignedAsync(SampleEvents.Build("payment.paid", "1234", "pay-log2", "evt-log2"));

        // What the Storage extension does when it creates a client; a package update that makes this listen again fails here.
        app.Services.GetRequiredService<AzureEventSourceLogForwarder>().Start();

        Assert.False(AzureCore().IsEnabled(EventLevel.Verbose, EventKeywords.All));
    }

    private static EventSource AzureCore() =>
        EventSource.GetSources().Single(s => s.Name == "Azure-Core");
}
