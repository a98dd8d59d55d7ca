using System.Net;
using System.Net.Sockets;
using System.Text;
using ConnectEvents.Events;
using ConnectEvents.Hosting;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// The process-wide body budget through the dev host on real Kestrel: a body that does not fit is answered 503 with
/// Retry-After before a byte of it is sent, while a small signed webhook still gets 200 from the reserve, and the budget
/// comes back when the upload holding it ends.
/// </summary>
public sealed class RequestBodyBudgetEndpointTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // 600,000 bytes in all, 100,000 of them only for bodies up to 64 KiB: large bodies may hold 500,000 together.
    private static readonly Dictionary<string, string?> SmallBudget = new()
    {
        ["RequestBodies:BudgetBytes"] = "600000",
        ["RequestBodies:SmallBodyReserveBytes"] = "100000",
        ["RequestBodies:RetryAfterSeconds"] = "3",
    };

    [Fact]
    public async Task ABodyOverTheBudgetGets503WithRetryAfterUnreadWhileASmallSignedWebhookGets200()
    {
        await using var app = new WebhookApp(azurite.ConnectionString, SmallBudget);
        using var client = app.CreateAnonymousClient();
        var port = client.BaseAddress!.Port;
        var budget = app.Services.GetRequiredService<RequestBodyBudget>();

        // An upload that announces 400,000 bytes and stalls after 1,000 holds its reservation.
        using var stalled = await ConnectAsync(port);
        await stalled.SendAsync(Head(400_000).Concat(new byte[1000]).ToArray(), SocketFlags.None);
        await WaitUntilAsync(() => budget.UsedBytes == 400_000);

        using var refused = await ConnectAsync(port);
        await refused.SendAsync(Head(300_000), SocketFlags.None); // headers only: the answer must not wait for the body
        var answer = await ReadHeadAsync(refused);

        using var webhook = await app.PostSignedAsync(SampleEvents.Build("payment.pending_capture", "1234", "pay-budget-1"));

        Assert.StartsWith("HTTP/1.1 503", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nRetry-After: 3\r\n", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        Assert.Single(await app.PeekAllAsync());

        // The stalled upload ends (the caller goes away): its reservation is given back, and the next large body is read (401: random signature).
        stalled.Close();
        await WaitUntilAsync(() => budget.UsedBytes == 0);
        using var after = await ConnectAsync(port);
        await after.SendAsync(Head(300_000).Concat(new byte[300_000]).ToArray(), SocketFlags.None);
        Assert.StartsWith("HTTP/1.1 401", await ReadHeadAsync(after), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASessionRequestThatDoesNotFitGetsAProblemWith503AndRetryAfter()
    {
        await using var app = new WebhookApp(azurite.ConnectionString, SmallBudget);
        using var client = app.CreateClient();
        var budget = app.Services.GetRequiredService<RequestBodyBudget>();
        Assert.True(budget.TryReserve(500_000));
        Assert.True(budget.TryReserve(60_000));
        try
        {
            using var response = await client.PostAsync("/api/sessions", new StringContent(new string(' ', 50_000) + "{}", Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
            Assert.Contains("too many request bodies", text, StringComparison.Ordinal);
        }
        finally
        {
            budget.Release(560_000);
        }
    }

    private static byte[] Head(int contentLength) => Encoding.ASCII.GetBytes(
        $"POST /api/webhooks/connect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GCS-KeyId: {WebhookApp.KeyId}\r\n" +
        $"X-GCS-Signature: {Convert.ToBase64String(new byte[32])}\r\nContent-Length: {contentLength}\r\n\r\n");

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    // The status line and headers, up to the blank line; 10 s at most.
    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cts.Token);
            if (read == 0)
            {
                break;
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return text;
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }
}
