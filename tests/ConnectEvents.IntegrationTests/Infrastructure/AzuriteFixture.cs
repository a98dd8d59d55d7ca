namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// One Azurite per test class (<c>IClassFixture&lt;AzuriteFixture&gt;</c>), on free loopback ports: classes own their storage, so
/// xunit runs them in parallel, and no instance carries enough traffic for Azurite's in-memory queue GC to stall it.
/// Tests within a class still use unique table and queue names.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteInstance? _instance;

    /// <summary>The running instance.</summary>
    public AzuriteInstance Azurite => _instance ?? throw new InvalidOperationException("Azurite not started");

    /// <summary>Connection string of the shared instance.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    /// <summary>A storage-safe unique name (lower-case letters and digits, starts with a letter) for a table or queue.</summary>
    public static string UniqueName(string prefix) =>
        (prefix + Guid.NewGuid().ToString("N"))[..Math.Min(prefix.Length + 32, 63)].ToLowerInvariant();

    /// <inheritdoc />
    public async Task InitializeAsync() => _instance = await AzuriteInstance.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }
}
