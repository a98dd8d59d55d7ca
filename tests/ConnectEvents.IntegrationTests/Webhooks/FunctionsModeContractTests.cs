using System.Net;
using System.Text;
using Azure.Storage.Queues;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Webhooks;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>The app as the Functions host runs it: its own process, settings as environment variables, the port in FUNCTIONS_CUSTOMHANDLER_PORT.</summary>
[Collection(AzuriteCollectionDefinition.Name)]
public sealed class FunctionsModeContractTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task AppStartedByTheHostServesTheForwardedWebhookRoute()
    {
        var queueName = AzuriteFixture.UniqueName("fnmode");
        var settings = WebhookAppSettings();
        settings["Webhooks__SecretKeys__0__KeyId"] = "host-key";
        settings["Webhooks__SecretKeys__0__Secret"] = "host-secret";
        settings["Events__QueueName"] = queueName;
        // The host always calls 127.0.0.1:{FUNCTIONS_CUSTOMHANDLER_PORT}; ASPNETCORE_URLS must not win.
        settings["ASPNETCORE_URLS"] = "http://127.0.0.1:1";
        await using var app = await FunctionAppProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        // What the host forwards for POST https://<app>/api/webhooks/connect?code=...: the original path with the
        // route prefix, the query rebuilt, all headers plus the host's own, the body unchanged.
        var body = SampleEvents.Build("payment.pending_capture", "1234", "pay-fn", "evt-fn");
        using var forwarded = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect?code=function-key")
        {
            Content = new ByteArrayContent(body),
        };
        forwarded.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        forwarded.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes("host-secret")));
        forwarded.Headers.TryAddWithoutValidation("X-GCS-KeyId", "host-key");
        forwarded.Headers.TryAddWithoutValidation("X-Azure-Functions-HostVersion", "4.1040.300.0");
        forwarded.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        forwarded.Headers.TryAddWithoutValidation("User-Agent", "Worldline-Webhooks/1.0 azure-functions-host");

        using var response = await http.SendAsync(forwarded);
        Assert.True(response.StatusCode == HttpStatusCode.OK, app.Output);

        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var message = Assert.Single((await queue.PeekMessagesAsync(10)).Value);
        Assert.Equal(body, message.Body.ToArray());

        using var verification = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks/connect");
        verification.Headers.TryAddWithoutValidation("X-GCS-Webhooks-Endpoint-Verification", "echo-me");
        using var echoed = await http.SendAsync(verification);
        Assert.Equal("echo-me", await echoed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnInvalidPortSettingStopsTheAppWithAMessage()
    {
        var settings = WebhookAppSettings();
        settings["FUNCTIONS_CUSTOMHANDLER_PORT"] = "not-a-port";
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionAppProcess.StartAsync(settings));
        Assert.Contains("FUNCTIONS_CUSTOMHANDLER_PORT must be a TCP port number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWithoutAnyWebhookKeyStopsTheAppNamingTheSetting()
    {
        var settings = WebhookAppSettings();
        settings.Remove("Webhooks__SecretKeys__0__KeyId");
        settings.Remove("Webhooks__SecretKeys__0__Secret");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionAppProcess.StartAsync(settings));
        Assert.Contains("Webhooks__SecretKeys__0__KeyId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWithAnUnusableStorageConnectionStopsTheAppNamingTheSetting()
    {
        var settings = WebhookAppSettings();
        settings["AzureWebJobsStorage"] = "AccountName=devstoreaccount1;AccountKey=not-base64!;nonsense";
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionAppProcess.StartAsync(settings));
        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-base64", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A webhook-only app on this Azurite: one webhook key, Connect never called, the pump off.</summary>
    private Dictionary<string, string> WebhookAppSettings() => new()
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["Connect__Endpoint"] = "http://127.0.0.1:9/",
        ["Connect__ApiKeyId"] = "unused-key",
        ["Connect__SecretApiKey"] = "unused-secret",
        ["Webhooks__SecretKeys__0__KeyId"] = "k",
        ["Webhooks__SecretKeys__0__Secret"] = "s",
        ["Processing__Pump__Enabled"] = "false",
    };
}
