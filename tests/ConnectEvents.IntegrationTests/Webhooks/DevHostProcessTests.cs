using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Storage.Queues;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Webhooks;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>The dev host as a user runs it: its own process, settings as environment variables, <c>--urls</c>, another working directory.</summary>
public sealed class DevHostProcessTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task ASignedEventPostedToTheDevHostProcessIsCapturedThroughTheQueueListener()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        simulator.State.SeedPayment("1234", "pay-proc");
        var settings = Settings(AzuriteFixture.UniqueName("proc"));
        settings["Connect__Endpoint"] = simulator.BaseAddress.ToString();
        settings["Connect__ApiKeyId"] = SimulatorHost.DefaultApiKeyId;
        settings["Connect__SecretApiKey"] = SimulatorHost.DefaultSecretApiKey;
        settings["Processing__Store__TableName"] = "pe" + Guid.NewGuid().ToString("N")[..16];
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var verification = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks/connect");
        verification.Headers.TryAddWithoutValidation("X-GCS-Webhooks-Endpoint-Verification", "echo-me");
        using var echoed = await http.SendAsync(verification);
        Assert.Equal("echo-me", await echoed.Content.ReadAsStringAsync());

        var body = SampleEvents.Build("payment.pending_capture", "1234", "pay-proc", "evt-proc");
        using var response = await http.SendAsync(Signed(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, app.Output);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (simulator.State.CountCaptures("1234", "pay-proc") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no capture reached the simulator:\n" + app.Output);
            await Task.Delay(50);
        }

        Assert.Equal(1, simulator.State.CountCaptures("1234", "pay-proc"));
    }

    [Fact]
    public async Task HostJsonQueueSettingsAreOverriddenByAzureFunctionsJobHostSettingsAsInAzure()
    {
        // Connect is a closed port: every delivery fails. host.json says 5 deliveries; the setting says 1.
        var queueName = AzuriteFixture.UniqueName("poison");
        var settings = Settings(queueName);
        settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "1";
        settings["Connect__MaxRetries"] = "0";
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.SendAsync(Signed(SampleEvents.Build("payment.pending_capture", "1234", "pay-x", "evt-poison")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var poison = new QueueClient(azurite.ConnectionString, queueName + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await poison.PeekMessagesAsync(10)).Value.Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the message never reached the poison queue:\n" + app.Output);
            await Task.Delay(100);
        }

        Assert.Contains("evt-poison", Assert.Single((await poison.PeekMessagesAsync(10)).Value).Body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyedRoutesRefuseCallsWithoutTheirKey()
    {
        var settings = Settings(AzuriteFixture.UniqueName("keys"));
        settings["DevHost__FunctionKey"] = "fkey";
        settings["DevHost__MasterKey"] = "mkey";
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/sessions", new StringContent("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/sessions?code=wrong", new StringContent("{}"))).StatusCode);
        // The function key opens the Function-level route (400: the body names what is missing), not the Admin one.
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/sessions?code=fkey", new StringContent("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/customers/c1/tokens?code=fkey")).StatusCode);
        using var admin = new HttpRequestMessage(HttpMethod.Get, "/api/customers/c1/tokens?merchantId=1234");
        admin.Headers.Add("x-functions-key", "mkey");
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await http.SendAsync(admin)).StatusCode);
    }

    [Fact]
    public async Task AV3OnlyDeploymentNeedsNoConnectSettingsAndVerifiesANotificationOnItsDefaultQueue()
    {
        // Connect off, the v3 platform on, and no Platform3__QueueName: the queue trigger's %Platform3__QueueName% must still
        // resolve (a fresh clone's run.sh found it did not), and nothing may ask for a Connect setting.
        await using var simulator = await SimulatorHost.StartAsync();
        using var admin = new HttpClient { BaseAddress = simulator.BaseAddress };
        (await admin.PostAsJsonAsync("admin/v3/payments", new { merchantId = "1234", reference = "order-v3only", resultCode = "000.000.000", httpStatus = 200 })).EnsureSuccessStatusCode();
        var settings = Settings(AzuriteFixture.UniqueName("v3only"));
        foreach (var connect in settings.Keys.Where(k => k.StartsWith("Connect__", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(connect);
        }

        settings["Connect__Enabled"] = "false";
        settings["Processing__Store__TableName"] = "pe" + Guid.NewGuid().ToString("N")[..16];
        settings["Platform3__Endpoint"] = simulator.BaseAddress.ToString();
        settings["Platform3__AccessToken"] = Platform3Api.DefaultAccessToken;
        settings["Platform3__NotificationKeyId"] = "k";
        settings["DevHost__FunctionKey"] = "fkey";
        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Signed(SampleEvents.Build("payment.pending_capture", "1234", "pay-x", "evt-off")))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/api/sessions?code=fkey", new StringContent("{}"))).StatusCode);

        var url = ConnectEvents.Platform3.NotificationUrls.Build(new Uri(app.BaseAddress, "/api/notifications/v3"), "1234", "order-v3only", "k", Encoding.UTF8.GetBytes("s"), DateTimeOffset.UtcNow.AddDays(1));
        using var notified = await http.PostAsync(url, new StringContent("""{"result":{"code":"000.000.000"}}"""));
        Assert.True(notified.StatusCode == HttpStatusCode.OK, app.Output);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!app.Output.Contains("verified by inquiry: 000.000.000 (success)", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the notification was not verified:\n" + app.Output);
            await Task.Delay(100);
        }

        Assert.DoesNotContain("does not resolve", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Connect__", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWithoutAnyWebhookKeyStopsTheAppNamingTheSetting()
    {
        var settings = Settings(AzuriteFixture.UniqueName("nokey"));
        settings.Remove("Webhooks__SecretKeys__0__KeyId");
        settings.Remove("Webhooks__SecretKeys__0__Secret");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DevHostProcess.StartAsync(settings));
        Assert.Contains("Webhooks__SecretKeys__0__KeyId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWithAnUnusableStorageConnectionStopsTheAppNamingTheSetting()
    {
        var settings = Settings(AzuriteFixture.UniqueName("nostore"));
        settings["AzureWebJobsStorage"] = "AccountName=devstoreaccount1;AccountKey=not-base64!;nonsense";
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DevHostProcess.StartAsync(settings));
        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-base64", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A POST of <paramref name="body"/> to the webhook, signed with key <c>k</c> and secret <c>s</c>.</summary>
    internal static HttpRequestMessage Signed(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes("s")));
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", "k");
        return request;
    }

    /// <summary>An app on this Azurite with its own queue: one webhook key, Connect on a closed port, a fast-polling listener.</summary>
    private Dictionary<string, string> Settings(string queueName)
    {
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, "k", "s");
        settings["Events__QueueName"] = queueName;
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.100";
        settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00.100";
        return settings;
    }
}
