using System.Text.Json;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// infra/main.bicep, built to ARM JSON by the pinned Bicep CLI, gives the Flex Consumption site the scale settings its
/// parameters ask for, and queue concurrency that keeps the Connect calls of the events in flight within the stated
/// budget: instances × (batchSize + newBatchThreshold) × 2 calls per event ≤ connectCallBudget. The check multiplies
/// what the site gets, not the template's own arithmetic, so a wrong derivation fails it.
/// </summary>
public sealed class ScaleSettingsTests(BicepTemplate bicep) : IClassFixture<BicepTemplate>
{
    /// <summary>GET payment, then capture or tokenize: the most Connect calls one event makes.</summary>
    private const long ConnectCallsPerEvent = 2;

    [Fact]
    public void TheShippedParametersKeepTheConnectCallsInFlightWithinTheBudgetAndMatchHostJson()
    {
        var site = Site(Deploy([]));

        var budget = (long)bicep.Parameters["connectCallBudget"]!;
        Assert.True(site.ConnectCallsAtMost <= budget, $"{site}: {site.ConnectCallsAtMost} Connect calls in flight, budget {budget}");
        Assert.Equal((long)bicep.Parameters["maximumInstanceCount"]!, site.MaximumInstanceCount);
        // Local runs read host.json; Azure reads the app settings: the shipped budget must give the same concurrency.
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
        Assert.Equal(queues.GetProperty("batchSize").GetInt64(), site.BatchSize);
        Assert.Equal(queues.GetProperty("newBatchThreshold").GetInt64(), site.NewBatchThreshold);
    }

    [Theory]
    [InlineData(1920, 40)]
    [InlineData(200, 40)]
    [InlineData(25, 1)]
    [InlineData(50, 40)]
    [InlineData(2, 40)]
    [InlineData(1_000_000, 1000)]
    public void AnyBudgetBoundsInstancesTimesQueueConcurrencyTimesCallsPerEvent(long budget, long maximumInstanceCount)
    {
        var site = Site(Deploy([("connectCallBudget", budget), ("maximumInstanceCount", maximumInstanceCount)]));

        Assert.True(site.ConnectCallsAtMost <= budget, $"{site}: {site.ConnectCallsAtMost} Connect calls in flight, budget {budget}");
        Assert.InRange(site.BatchSize, 1, 32);
        Assert.Equal(site.BatchSize / 2, site.NewBatchThreshold);
        // The instance ceiling comes down only when even one message per instance would not fit the budget.
        Assert.Equal(Math.Min(maximumInstanceCount, budget / ConnectCallsPerEvent), site.MaximumInstanceCount);
    }

    [Fact]
    public void TheScaleParametersReachTheSitesScaleAndConcurrency()
    {
        var site = Site(Deploy([.. V3On, ("alwaysReady", 1L), ("httpPerInstanceConcurrency", 48L), ("instanceMemoryMB", 2048L), ("maximumInstanceCount", 100L), ("connectCallBudget", 4800L)]));

        Assert.Equal(48, site.HttpPerInstanceConcurrency);
        Assert.Equal(2048, site.InstanceMemoryMB);
        Assert.Equal(100, site.MaximumInstanceCount);
        Assert.Equal([("function:ProcessConnectEvent", 1L), ("function:ProcessPlatform3Notification", 1L)], site.AlwaysReady);
        Assert.All(site.AlwaysReady, entry => Assert.Contains(entry.Name["function:".Length..], GeneratedQueueTriggers()));
    }

    [Fact]
    public void AlwaysReadyGoesOnlyToTheQueueTriggersThatRun()
    {
        var connectOff = Site(Deploy([.. V3On, ("connectEnabled", false), ("alwaysReady", 2L)]));
        var shipped = Site(Deploy([("alwaysReady", 1L)]));

        Assert.Equal([("function:ProcessPlatform3Notification", 2L)], connectOff.AlwaysReady);
        Assert.Equal([("function:ProcessConnectEvent", 1L)], shipped.AlwaysReady);
    }

    [Fact]
    public void NoAlwaysReadyInstancesByDefaultSoIdleCostsNothing() =>
        Assert.Empty(Site(Deploy([.. V3On])).AlwaysReady);

    private static readonly (string, object?)[] V3On = [("platform3Endpoint", "https://v3.example.test"), ("platform3NotificationKeyId", "key-1")];

    private static HashSet<string> GeneratedQueueTriggers()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.BuiltFile("functions", "functions.metadata")));
        return [.. QueueTriggerBinding.Read(metadata.RootElement).Select(t => t.Function)];
    }

    private ArmDeployment Deploy((string Name, object? Value)[] overrides)
    {
        var parameters = new Dictionary<string, object?>(bicep.Parameters, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in overrides)
        {
            parameters[name] = value;
        }

        return ArmDeployment.Evaluate(bicep.Template, parameters, new ArmScope(SubscriptionId, null), ["Microsoft.Web/sites"]);
    }

    private static SiteScale Site(ArmDeployment deployment)
    {
        var site = Assert.Single(deployment.Created("Microsoft.Web/sites"));
        var properties = (ArmObject)site.Get("properties")!;
        var scale = (ArmObject)((ArmObject)properties.Get("functionAppConfig")!).Get("scaleAndConcurrency")!;
        var http = (ArmObject)((ArmObject)scale.Get("triggers")!).Get("http")!;
        var alwaysReady = ((IReadOnlyList<object?>)scale.Get("alwaysReady")!).Cast<ArmObject>()
            .Select(e => ((string)e.Get("name")!, (long)e.Get("instanceCount")!)).ToList();
        var settings = ((IReadOnlyList<object?>)((ArmObject)properties.Get("siteConfig")!).Get("appSettings")!).Cast<ArmObject>()
            // Values are read only for the two settings needed: others hold what only the deployment knows.
            .ToDictionary(s => (string)s.Get("name")!, StringComparer.OrdinalIgnoreCase);
        return new SiteScale(
            (long)scale.Get("maximumInstanceCount")!,
            (long)scale.Get("instanceMemoryMB")!,
            (long)http.Get("perInstanceConcurrency")!,
            alwaysReady,
            Integer(settings, "AzureFunctionsJobHost__extensions__queues__batchSize"),
            Integer(settings, "AzureFunctionsJobHost__extensions__queues__newBatchThreshold"));
    }

    private static long Integer(Dictionary<string, ArmObject> settings, string name) =>
        settings.TryGetValue(name, out var setting)
            ? long.Parse((string)setting.Get("value")!, System.Globalization.CultureInfo.InvariantCulture)
            : throw new Xunit.Sdk.XunitException($"The function app does not set {name}.");

    /// <summary>The scale settings one deployment gives the site.</summary>
    private sealed record SiteScale(long MaximumInstanceCount, long InstanceMemoryMB, long HttpPerInstanceConcurrency, List<(string Name, long InstanceCount)> AlwaysReady, long BatchSize, long NewBatchThreshold)
    {
        /// <summary>The most Connect calls the events being processed at once can make.</summary>
        public long ConnectCallsAtMost => MaximumInstanceCount * (BatchSize + NewBatchThreshold) * ConnectCallsPerEvent;
    }

    private const string SubscriptionId = "00000000-0000-0000-0000-000000000001";
}
