using ConnectEvents.Platform3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectEvents.UnitTests.Platform3;

/// <summary>The v3 settings are checked only when the platform is on, and then name what is missing.</summary>
public sealed class Platform3SettingsTests
{
    [Fact]
    public void WithoutAnEndpointThePlatformIsOffAndNoOtherSettingIsRequired()
    {
        using var services = Build(new() { ["Platform3:AccessToken"] = null });

        Assert.False(services.GetRequiredService<EnabledPlatforms>().V3);
        Assert.Null(services.GetRequiredService<IOptions<Platform3Options>>().Value.Endpoint);
    }

    [Theory]
    [InlineData("Platform3:AccessToken", "Platform3__AccessToken")]
    [InlineData("Platform3:NotificationKeyId", "Platform3__NotificationKeyId")]
    public void WithAnEndpointAMissingSettingStopsTheStartNamingIt(string removed, string named)
    {
        var settings = On();
        settings[removed] = null;
        using var services = Build(settings);

        Assert.True(services.GetRequiredService<EnabledPlatforms>().V3);
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<Platform3Options>>().Value);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConfiguredResultCodeRuleExtendsTheTableAndABadOneIsRefused()
    {
        var settings = On();
        settings["Platform3:ResultCodes:0:Pattern"] = "000.200";
        settings["Platform3:ResultCodes:0:Category"] = "pending";
        using (var services = Build(settings))
        {
            Assert.Equal(ResultCategory.Pending, services.GetRequiredService<ResultCodeClassifier>().Classify("000.200.100"));
        }

        settings["Platform3:ResultCodes:0:Category"] = "maybe";
        using var bad = Build(settings);
        var error = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<Platform3Options>>().Value);
        Assert.Contains("Platform3__ResultCodes__<n>", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> On() => new()
    {
        ["Platform3:Endpoint"] = "https://v3.example/",
        ["Platform3:AccessToken"] = "token",
        ["Platform3:NotificationKeyId"] = "k1",
    };

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddPlatform3(configuration).BuildServiceProvider();
    }
}
