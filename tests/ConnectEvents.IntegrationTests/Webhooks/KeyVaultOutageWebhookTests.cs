using System.Diagnostics;
using System.Net;
using System.Text;
using ConnectEvents.Events;
using ConnectEvents.Functions.Notifications;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.IntegrationTests.Suites;
using ConnectEvents.Platform3;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>
/// Through the dev host on real Kestrel: with the webhook key only in a Key Vault that is down (the real store and
/// SecretClient, pointed at a loopback vault), the Connect webhook and the v3 notification route answer 503 with
/// Retry-After, never 500, and accept the same request once the vault answers.
/// </summary>
public sealed class KeyVaultOutageWebhookTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string VaultKeyId = "vault-only-key";
    private const string VaultSecret = "vault-only-secret-9c1e";

    [Theory]
    [InlineData(VaultFault.Refuse)]
    [InlineData(VaultFault.Stall)]
    public async Task TheWebhookAnswers503WithRetryAfterWhileTheVaultIsDownAndAcceptsOnceItIsBack(VaultFault fault)
    {
        await using var vault = await StartVaultAsync();
        await using var app = App(vault, []);
        var body = SampleEvents.Build("payment.paid", "1234", "pay-kv-1", "evt-kv-" + Guid.NewGuid().ToString("N"));

        vault.Fault = fault;
        var clock = Stopwatch.StartNew();
        using (var during = await app.PostSignedAsync(body, VaultSecret, VaultKeyId))
        {
            SuiteFigures.Print(output, "faults: Key Vault down", $"vault {fault}: answered {(int)during.StatusCode} Retry-After {during.Headers.RetryAfter?.Delta?.TotalSeconds} s after {clock.Elapsed.TotalSeconds:F2} s (Webhooks__KeyVault__Timeout 3 s)");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.True(during.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without Retry-After");
        }

        vault.Fault = VaultFault.None;
        using var after = await app.PostSignedAsync(body, VaultSecret, VaultKeyId);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var queued = await app.PeekAllAsync();
        SuiteFigures.Print(output, "faults: Key Vault down", $"vault {fault}: once back, the retry answered {(int)after.StatusCode}; events queued {queued.Length}, lost 0");
        Assert.Single(queued);
    }

    [Fact]
    public async Task TheV3RouteAnswers503WithRetryAfterWhileTheVaultIsDown()
    {
        await using var vault = await StartVaultAsync();
        await using var app = App(vault, new()
        {
            ["Platform3:Endpoint"] = "http://127.0.0.1:9/",
            ["Platform3:AccessToken"] = "unused-token",
            ["Platform3:NotificationKeyId"] = VaultKeyId,
            ["Platform3:QueueName"] = AzuriteFixture.UniqueName("v3kv"),
            ["AzureWebJobs.ProcessPlatform3Notification.Disabled"] = "true",
        });
        using var client = app.CreateAnonymousClient();
        var url = new Uri(NotificationUrls.Build(new Uri("http://app" + Platform3Notification.Route), "m-1", "order-kv", VaultKeyId,
            Encoding.UTF8.GetBytes(VaultSecret), DateTimeOffset.UtcNow.AddDays(1)).PathAndQuery, UriKind.Relative);

        vault.Fault = VaultFault.Reset;
        using (var during = await client.PostAsync(url, new ByteArrayContent("{}"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.True(during.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without Retry-After");
        }

        vault.Fault = VaultFault.None;
        using var after = await client.PostAsync(url, new ByteArrayContent("{}"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static async Task<KeyVaultFaultServer> StartVaultAsync()
    {
        var vault = await KeyVaultFaultServer.StartAsync();
        vault.Secrets[KeyVaultSecretKeyStore.SecretNameFor(VaultKeyId)] = VaultSecret;
        return vault;
    }

    /// <summary>The app with its configured key and, after it, the Key Vault store as the registration composes them, over the loopback vault.</summary>
    private WebhookApp App(KeyVaultFaultServer vault, Dictionary<string, string?> settings) =>
        new(azurite.ConnectionString, settings, services => services.AddSingleton<ISecretKeyStore>(sp =>
        {
            var options = new KeyVaultOptions();
            return new CompositeSecretKeyStore(
            [
                sp.GetRequiredService<ConfigurationSecretKeyStore>(),
                new KeyVaultSecretKeyStore(vault.Client(options), options, TimeProvider.System, sp.GetRequiredService<ILogger<KeyVaultSecretKeyStore>>()),
            ]);
        }));
}
