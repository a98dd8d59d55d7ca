using Azure.Identity;
using ConnectEvents.Identity;
using ConnectEvents.Storage;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.UnitTests.Identity;

/// <summary>How a connection's settings are read; constructing credentials and clients makes no network call.</summary>
public sealed class IdentityConnectionTests
{
    [Theory]
    [InlineData("11111111-2222-3333-4444-555555555555", null)]
    [InlineData("11111111-2222-3333-4444-555555555555", "managedidentity")]
    [InlineData(null, "managedidentity")]
    [InlineData("", "ManagedIdentity")]
    [InlineData(" ", " managedidentity ")]
    public void ClientIdOrManagedIdentitySettingSelectsTheManagedIdentity(string? clientId, string? credential) =>
        Assert.IsType<ManagedIdentityCredential>(Read("Conn", ("Conn:clientId", clientId), ("Conn:credential", credential)).Credential());

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData(null, "azurecli")]
    public void NeitherSettingFallsBackToTheDefaultChain(string? clientId, string? credential) =>
        Assert.IsType<DefaultAzureCredential>(Read("Conn", ("Conn:clientId", clientId), ("Conn:credential", credential)).Credential());

    [Theory]
    [InlineData("Webhooks:KeyVault")]
    [InlineData("Webhooks__KeyVault")]
    public void NestedConnectionsAreNamedAsEnvironmentVariablesSpellThem(string name)
    {
        var connection = Read(name, ("Webhooks:KeyVault:VaultUri", "https://kv-x.vault.azure.net"), ("Webhooks:KeyVault:clientId", "11111111-2222-3333-4444-555555555555"));

        Assert.Equal("Webhooks__KeyVault", connection.Name);
        Assert.Equal("Webhooks__KeyVault__VaultUri", connection.SettingName("VaultUri"));
        Assert.Equal(new Uri("https://kv-x.vault.azure.net/"), connection.ServiceUri("VaultUri"));
        Assert.IsType<ManagedIdentityCredential>(connection.Credential());
    }

    [Fact]
    public void TheConnectionStringIsTheValueOfTheNameItself()
    {
        Assert.Equal("UseDevelopmentStorage=true", Read("AzureWebJobsStorage", ("AzureWebJobsStorage", "UseDevelopmentStorage=true")).ConnectionString);
        Assert.Null(Read("AzureWebJobsStorage", ("AzureWebJobsStorage", "  "), ("AzureWebJobsStorage:accountName", "st")).ConnectionString);
    }

    [Theory]
    [InlineData("https://st.queue.core.windows.net", "https://st.queue.core.windows.net/")]
    [InlineData(" http://127.0.0.1:10001/devstoreaccount1/ ", "http://127.0.0.1:10001/devstoreaccount1/")]
    public void ServiceUrisEndInASlashSoNamesResolveBelowThem(string value, string expected) =>
        Assert.Equal(new Uri(expected), Read("S", ("S:queueServiceUri", value)).ServiceUri("queueServiceUri"));

    [Theory]
    [InlineData("st.queue.core.windows.net")]
    [InlineData("ftp://st.queue.core.windows.net/")]
    [InlineData("https://")]
    public void AServiceUriThatIsNoHttpUrlIsRefusedNamingTheSetting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read("AzureWebJobsStorage", ("AzureWebJobsStorage:queueServiceUri", value)).ServiceUri("queueServiceUri"));

        Assert.StartsWith("AzureWebJobsStorage__queueServiceUri must be an absolute https URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAccountNameGivesEveryStorageServiceAndAnExplicitUriWins()
    {
        var storage = StorageClients.FromConfiguration(Configuration(
            ("AzureWebJobsStorage:accountName", "stconnect"), ("AzureWebJobsStorage:blobServiceUri", "https://blob.example.net/")));

        Assert.Equal(new Uri("https://stconnect.queue.core.windows.net/q"), storage.Queue("q").Uri);
        Assert.Equal(new Uri("https://stconnect.table.core.windows.net/t"), storage.Table("t").Uri);
        Assert.Equal(new Uri("https://blob.example.net/c"), storage.BlobContainer("c").Uri);
        Assert.Null(Read("S").AccountServiceUri("queue"));
    }

    [Theory]
    [InlineData("sb-x.servicebus.windows.net", "sb-x.servicebus.windows.net")]
    [InlineData(" sb://sb-x.servicebus.windows.net/ ", "sb-x.servicebus.windows.net")]
    [InlineData("https://sb-x.servicebus.windows.net:443/", "sb-x.servicebus.windows.net")]
    [InlineData("sb-x.servicebus.windows.net/", "sb-x.servicebus.windows.net")]
    [InlineData(" ", null)]
    public void TheNamespaceIsTheBareHostWhateverFormWasCopied(string value, string? expected) =>
        Assert.Equal(expected, Read("ServiceBusConnection", ("ServiceBusConnection:fullyQualifiedNamespace", value)).FullyQualifiedNamespace());

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

    private static IdentityConnection Read(string name, params (string Key, string? Value)[] settings) =>
        IdentityConnection.Read(Configuration(settings), name);

    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
}
