using ConnectEvents.Idempotence;
using ConnectEvents.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.UnitTests.Idempotence;

public sealed class StoreRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? before = null)
    {
        settings.TryAdd("AzureWebJobsStorage", "UseDevelopmentStorage=true");
        var services = new ServiceCollection();
        before?.Invoke(services);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return services.AddProcessedEventStore(configuration).AddTokenVault(configuration).BuildServiceProvider();
    }

    [Fact]
    public void DefaultsAreTheDocumentedTablesAndCap()
    {
        using var sp = Build([]);

        Assert.Equal("processedevents", sp.GetRequiredService<IOptions<ProcessedEventStoreOptions>>().Value.TableName);
        var vault = sp.GetRequiredService<IOptions<TokenVaultOptions>>().Value;
        Assert.Equal(("tokenvault", 10), (vault.TableName, vault.MaxTokensPerCustomer));
        Assert.IsType<TableProcessedEventStore>(sp.GetRequiredService<IProcessedEventStore>());
        Assert.IsType<TableTokenVault>(sp.GetRequiredService<ITokenVault>());
        Assert.Same(TimeProvider.System, sp.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void SettingsAreBoundAndAnExistingTimeProviderIsKept()
    {
        var fake = new FakeTimeProvider();
        using var sp = Build(new() { ["Processing:Store:TableName"] = "events2", ["TokenVault:TableName"] = "vault2", ["TokenVault:MaxTokensPerCustomer"] = "3" },
            s => s.AddSingleton<TimeProvider>(fake));

        Assert.Equal("events2", sp.GetRequiredService<IOptions<ProcessedEventStoreOptions>>().Value.TableName);
        Assert.Equal(3, sp.GetRequiredService<IOptions<TokenVaultOptions>>().Value.MaxTokensPerCustomer);
        Assert.Same(fake, sp.GetRequiredService<TimeProvider>());
    }

    [Theory]
    [InlineData("Processing:Store:TableName", "bad-name", "Processing__Store__TableName")]
    [InlineData("TokenVault:TableName", "x", "TokenVault__TableName")]
    [InlineData("TokenVault:MaxTokensPerCustomer", "0", "TokenVault__MaxTokensPerCustomer")]
    public void InvalidSettingsAreRejectedNamingTheSetting(string key, string value, string named)
    {
        using var sp = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            _ = sp.GetRequiredService<IOptions<ProcessedEventStoreOptions>>().Value;
            _ = sp.GetRequiredService<IOptions<TokenVaultOptions>>().Value;
        });
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
