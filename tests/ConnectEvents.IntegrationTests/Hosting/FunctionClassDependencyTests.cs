using System.Reflection;
using ConnectEvents.Functions.Webhooks;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// Function classes show what they use in their constructors: none takes the service provider (a locator hides what a
/// class needs and defers its failure to the first request), and every one that serves a platform (all but retention) asks the one
/// <see cref="EnabledPlatforms"/> whether it is on.
/// </summary>
public sealed class FunctionClassDependencyTests
{
    private static readonly Type[] FunctionClasses =
        [.. typeof(ConnectWebhook).Assembly.GetExportedTypes().Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null))];

    [Fact]
    public void NoFunctionClassTakesTheServiceProvider()
    {
        Assert.NotEmpty(FunctionClasses);
        foreach (var type in FunctionClasses)
        {
            var parameters = type.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.ParameterType).ToList();
            Assert.DoesNotContain(typeof(IServiceProvider), parameters);
        }
    }

    /// <summary>Functions that serve no platform: retention deletes the app's own records, whichever platforms wrote them.</summary>
    private static readonly Type[] PlatformNeutral = [typeof(ConnectEvents.Functions.Retention.ApplyRetention)];

    [Fact]
    public void EveryFunctionClassAsksEnabledPlatformsWhetherItsPlatformIsOn() =>
        Assert.All(FunctionClasses.Except(PlatformNeutral), type =>
            Assert.Contains(typeof(EnabledPlatforms), type.GetConstructors().Single().GetParameters().Select(p => p.ParameterType)));
}
