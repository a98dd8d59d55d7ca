using ConnectEvents.Tokens;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ConnectEvents.UnitTests;

/// <summary>Settings are checked one way (data annotations at start-up): every invalid one is reported, once, naming it.</summary>
public sealed class SettingsValidationTests
{
    [Fact]
    public void EveryBrokenWebhookSettingIsReportedTogether()
    {
        var result = Validate(new WebhookOptions { MaxBodyBytes = 10, RetryAfterSeconds = 0, KeyVault = { VaultUri = "kv-connect.vault.azure.net" } });

        Assert.Contains("Webhooks__MaxBodyBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Webhooks__RetryAfterSeconds", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Webhooks__KeyVault__VaultUri must be an absolute https URL", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void NoKeyAndAnIncompleteKeyAreBothReported()
    {
        var options = new WebhookOptions();
        options.SecretKeys.Add(new WebhookSecretKey { KeyId = "k1" });

        var result = Validate(options);

        Assert.Contains("No webhook secret key is configured", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Every Webhooks__SecretKeys__<n> entry needs both KeyId and Secret.", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AVaultAloneIsEnoughKeys() =>
        Assert.True(Validate(new WebhookOptions { KeyVault = { VaultUri = "https://kv-connect.vault.azure.net/" } }).Succeeded);

    [Fact]
    public async Task InvalidSettingsOfSeveralCapabilitiesStopStartUpTogetherEachNamedOnce()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["TokenVault:TableName"] = "x",
            ["Events:QueueName"] = " ",
        }).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Capabilities register storage and their settings again and again; each check must run once.
        builder.Services.AddConnectWebhooks(configuration).AddTokenVault(configuration).AddTokenVault(configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        var message = error is AggregateException all ? string.Join("\n", all.InnerExceptions.Select(e => e.Message)) : error.Message;
        Assert.Contains("No webhook secret key is configured", message, StringComparison.Ordinal);
        Assert.Contains("Events__QueueName must not be empty.", message, StringComparison.Ordinal);
        Assert.Single(message.Split("TokenVault__TableName must be 3-63 letters and digits")[1..]);
    }

    private static ValidateOptionsResult Validate<T>(T options) where T : class =>
        new DataAnnotationValidateOptions<T>(null).Validate(null, options);
}
