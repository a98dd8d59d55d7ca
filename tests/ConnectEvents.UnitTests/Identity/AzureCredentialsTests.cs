using Azure.Identity;
using ConnectEvents.Identity;
using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.UnitTests.Identity;

/// <summary>Which credential an identity-based connection gets; constructing one makes no network call.</summary>
public sealed class AzureCredentialsTests
{
    [Theory]
    [InlineData("11111111-2222-3333-4444-555555555555", null)]
    [InlineData("11111111-2222-3333-4444-555555555555", "managedidentity")]
    [InlineData(null, "managedidentity")]
    [InlineData("", "ManagedIdentity")]
    [InlineData(" ", " managedidentity ")]
    public void ClientIdOrManagedIdentitySettingSelectsTheManagedIdentity(string? clientId, string? credential) =>
        Assert.IsType<ManagedIdentityCredential>(AzureCredentials.Create(clientId, credential));

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData(null, "azurecli")]
    public void NeitherSettingFallsBackToTheDefaultChain(string? clientId, string? credential) =>
        Assert.IsType<DefaultAzureCredential>(AzureCredentials.Create(clientId, credential));

    [Fact]
    public void StorageHonoursTheCredentialSettingLikeTheFunctionsHost()
    {
        var storage = StorageClients.FromConfiguration(Configuration(
            ("AzureWebJobsStorage:accountName", "stconnect"), ("AzureWebJobsStorage:credential", "managedidentity")));
        Assert.IsType<ManagedIdentityCredential>(storage.Credential);
    }

    [Fact]
    public void StorageWithOnlyAnAccountNameUsesTheDefaultChain()
    {
        var storage = StorageClients.FromConfiguration(Configuration(("AzureWebJobsStorage:accountName", "stconnect")));
        Assert.IsType<DefaultAzureCredential>(storage.Credential);
    }

    [Fact]
    public void StorageConnectionStringNeedsNoCredential() =>
        Assert.Null(StorageClients.FromConnectionString("UseDevelopmentStorage=true").Credential);

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
}
