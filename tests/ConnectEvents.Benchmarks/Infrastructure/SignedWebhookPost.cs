using System.Net;
using System.Text;
using ConnectEvents.Functions.Webhooks;
using ConnectEvents.Webhooks;

namespace ConnectEvents.Benchmarks.Infrastructure;

/// <summary>Signed webhook POSTs as Worldline sends them, with the key <see cref="LoadDevHost"/> trusts.</summary>
internal static class SignedWebhookPost
{
    /// <summary>The X-GCS-Signature of <paramref name="body"/>.</summary>
    public static string Sign(byte[] body) => WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(LoadDevHost.Secret));

    /// <summary>A client for <paramref name="baseUrl"/> that keeps one connection per concurrent worker.</summary>
    public static HttpClient Client(Uri baseUrl, int concurrency) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = baseUrl };

    /// <summary>POSTs <paramref name="body"/> to the webhook route; anything but 200 throws (and counts as a failure in <see cref="LoadStats"/>).</summary>
    public static async Task SendAsync(HttpClient http, byte[] body, string signature)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Post, ConnectWebhook.Route) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", signature);
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", LoadDevHost.KeyId);
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}");
        }
    }
}
