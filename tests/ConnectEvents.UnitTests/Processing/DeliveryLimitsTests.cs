using ConnectEvents.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectEvents.UnitTests.Processing;

/// <summary>The processor's delivery limits come from the host's configuration and are checked together.</summary>
public sealed class DeliveryLimitsTests
{
    [Fact]
    public void TheLeaseIsDerivedFromTheFunctionTimeoutAndTheDequeueCountFromTheQueueSettings()
    {
        var options = Options(new()
        {
            ["AzureFunctionsJobHost:functionTimeout"] = "00:10:00",
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "7",
        });

        Assert.Equal(TimeSpan.FromMinutes(10) + EventProcessingServiceCollectionExtensions.LeaseMargin, options.LeaseDuration);
        Assert.Equal(7, options.MaxDequeueCount);
    }

    [Fact]
    public void ALeaseShorterThanTheFunctionTimeoutStopsTheStartNamingBothSettings()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Options(new()
        {
            ["AzureFunctionsJobHost:functionTimeout"] = "00:05:00",
            ["Processing:LeaseDuration"] = "00:02:00",
        }));

        Assert.Contains("Processing__LeaseDuration", error.Message, StringComparison.Ordinal);
        Assert.Contains("functionTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLimitsAreNotSettingsOfTheirOwn()
    {
        // One place only: a Processing__ value that disagreed with host.json would make the processor count differently.
        var options = Options(new() { ["Processing:MaxDequeueCount"] = "9", ["Processing:FunctionTimeout"] = "00:20:00" });

        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromMinutes(5), options.FunctionTimeout);
    }

    [Fact]
    public void AZeroDequeueCountIsRefused() =>
        Assert.Throws<OptionsValidationException>(() => Options(new() { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "0" }));

    private static ProcessingOptions Options(Dictionary<string, string?> settings)
    {
        settings["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddLogging().AddEventProcessing(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ProcessingOptions>>().Value;
    }
}
