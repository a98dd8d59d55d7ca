using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using ConnectEvents.Storage;
using ConnectEvents.Webhooks;

namespace ConnectEvents.UnitTests;

/// <summary>The one place SDK clients get their retries: each plan fits its budget even when every attempt times out.</summary>
public sealed class OutboundBudgetsTests
{
    [Theory]
    [InlineData("00:00:03", "00:00:01")]
    [InlineData("00:00:03", "00:00:05")]
    [InlineData("00:00:10", "00:00:01")]
    [InlineData("00:00:00.500", "00:00:00.100")]
    public void KeyVaultRetriesFitTheLookupBudgetInsteadOfTheSdkDefault(string budget, string attempt)
    {
        var options = new KeyVaultOptions { Timeout = TimeSpan.Parse(budget, CultureInfo.InvariantCulture), AttemptTimeout = TimeSpan.Parse(attempt, CultureInfo.InvariantCulture) };

        var retry = OutboundBudgets.KeyVault(options).Retry;

        Assert.True(retry.NetworkTimeout <= options.AttemptTimeout && retry.NetworkTimeout <= options.Timeout);
        var worstCase = retry.NetworkTimeout * (retry.MaxRetries + 1) + retry.MaxDelay * retry.MaxRetries;
        Assert.True(worstCase <= options.Timeout, $"{retry.MaxRetries} retries of {retry.NetworkTimeout} with pauses up to {retry.MaxDelay} take {worstCase}");
    }

    [Fact]
    public void TheDefaultKeyVaultBudgetAllowsOneRetryOfOneSecond()
    {
        var retry = OutboundBudgets.KeyVault(new KeyVaultOptions()).Retry;
        Assert.Equal((1, TimeSpan.FromSeconds(1)), (retry.MaxRetries, retry.NetworkTimeout));
    }

    [Fact]
    public void KeyVaultBudgetIsAppliedToOptionsTheCallerBrings()
    {
        var given = new Azure.Security.KeyVault.Secrets.SecretClientOptions { DisableChallengeResourceVerification = true };
        var applied = OutboundBudgets.KeyVault(new KeyVaultOptions(), given);
        Assert.Same(given, applied);
        Assert.Equal(TimeSpan.FromSeconds(1), given.Retry.NetworkTimeout);
    }

    [Fact]
    public void StorageClientsGetTheStorageBudget()
    {
        foreach (var retry in new[] { StorageClients.DefaultQueueOptions().Retry, StorageClients.WithShortRetries(new TableClientOptions()).Retry })
        {
            Assert.Equal((OutboundBudgets.StorageMaxRetries, OutboundBudgets.StorageAttemptTimeout), (retry.MaxRetries, retry.NetworkTimeout));
        }

        Assert.Equal(QueueMessageEncoding.Base64, StorageClients.DefaultQueueOptions().MessageEncoding);
    }
}
