using System.Net;
using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Functions.Notifications;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;
using ConnectEvents.Platform3;

namespace ConnectEvents.IntegrationTests.Platform3;

/// <summary>The notification endpoint's other answers: 503 while storage is down, 413 for an oversize body, 404 when the platform is off.</summary>
public sealed class Platform3IngressTests
{
    [Fact]
    public async Task StorageDownAnswers503WithRetryAfterAndTheRetryIsEnqueuedOnceItIsBack()
    {
        await using var azurite = await AzuriteInstance.StartAsync();
        var queue = AzuriteFixture.UniqueName("v3");
        await using var app = new WebhookApp(azurite.ConnectionString, Settings(queue));
        using var client = app.CreateAnonymousClient();

        await azurite.StopAsync();
        using (var during = await client.PostAsync(Url("order-1"), new ByteArrayContent("{}"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.True(during.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            Assert.Equal("The notification could not be stored; retry later.", await during.Content.ReadAsStringAsync());
        }

        await azurite.RestartAsync();
        using (var after = await client.PostAsync(Url("order-1"), new ByteArrayContent("{}"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        var message = Assert.Single((await new QueueClient(azurite.ConnectionString, queue).PeekMessagesAsync(32)).Value);
        Assert.Contains("\"reference\":\"order-1\"", Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANotificationWaitsOnTheQueueForTheNotificationDelayWithItsBodyUntouched()
    {
        await using var azurite = await AzuriteInstance.StartAsync();
        var queue = AzuriteFixture.UniqueName("v3");
        var settings = Settings(queue);
        settings["Platform3:NotificationDelay"] = "00:00:02";
        await using var app = new WebhookApp(azurite.ConnectionString, settings);
        using var client = app.CreateAnonymousClient();
        var body = "{\"result\":{\"code\":\"000.000.000\"},\"note\":\"line\nbreak é\"}"u8.ToArray();

        using (var response = await client.PostAsync(Url("order-9"), new ByteArrayContent(body)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var queueClient = new QueueClient(azurite.ConnectionString, queue);
        Assert.Empty((await queueClient.PeekMessagesAsync(32)).Value);
        Assert.Equal(1, (await queueClient.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        PeekedMessage[] visible = [];
        for (var i = 0; i < 60 && visible.Length == 0; i++)
        {
            await Task.Delay(100);
            visible = (await queueClient.PeekMessagesAsync(32)).Value;
        }

        var message = NotificationMessage.Decode(Convert.FromBase64String(Assert.Single(visible).Body.ToString()), out var error);
        Assert.True(message is not null, error);
        Assert.Equal(("m-1", "order-9", WebhookApp.KeyId), (message.MerchantId, message.Reference, message.KeyId));
        Assert.Equal(body, message.Body.ToArray());
    }

    [Fact]
    public async Task AnOversizeBodyIsRefusedWith413AndNothingIsEnqueued()
    {
        await using var azurite = await AzuriteInstance.StartAsync();
        var queue = AzuriteFixture.UniqueName("v3");
        await using var app = new WebhookApp(azurite.ConnectionString, Settings(queue));
        using var client = app.CreateAnonymousClient();

        using var response = await client.PostAsync(Url("order-2"), new ByteArrayContent(new byte[1025]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var queueClient = new QueueClient(azurite.ConnectionString, queue);
        Assert.False(await queueClient.ExistsAsync() && (await queueClient.PeekMessagesAsync(1)).Value.Length > 0);
    }

    [Fact]
    public async Task WithThePlatformOffTheRouteAnswers404AndConnectStillWorks()
    {
        await using var azurite = await AzuriteInstance.StartAsync();
        await using var app = new WebhookApp(azurite.ConnectionString);
        using var client = app.CreateAnonymousClient();

        using var response = await client.PostAsync(Url("order-3"), new ByteArrayContent("{}"u8.ToArray()));
        using var connect = await app.PostSignedAsync(Events.SampleEvents.Build("payment.paid", "1234", "pay-1"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, connect.StatusCode);
    }

    private static Dictionary<string, string?> Settings(string queue) => new()
    {
        // Nothing answers here: these tests never get as far as an inquiry (the processor is off).
        ["Platform3:Endpoint"] = "http://127.0.0.1:9/",
        ["Platform3:AccessToken"] = "unused-token",
        ["Platform3:NotificationKeyId"] = WebhookApp.KeyId,
        ["Platform3:QueueName"] = queue,
        ["Platform3:MaxBodyBytes"] = "1024",
        ["AzureWebJobs.ProcessPlatform3Notification.Disabled"] = "true",
        ["Platform3:NotificationDelay"] = "00:00:00",
    };

    private static Uri Url(string reference) => new(NotificationUrls.Build(
        new Uri("http://app" + Platform3Notification.Route), "m-1", reference, WebhookApp.KeyId, Encoding.UTF8.GetBytes(WebhookApp.Secret), DateTimeOffset.UtcNow.AddDays(1)).PathAndQuery, UriKind.Relative);
}
