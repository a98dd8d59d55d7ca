using System.Diagnostics;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.IntegrationTests.Webhooks;

/// <summary>
/// The Key Vault key store over the real <see cref="Azure.Security.KeyVault.Secrets.SecretClient"/> with the app's retry
/// budget, against a loopback vault that refuses, resets, stalls, answers 503 or 429, or whose credential fails: a cached
/// secret within its stale limit is served, otherwise the store fails with the typed "unavailable", and every lookup ends
/// within the lookup budget (not the SDK's default of 4 tries × 100 s).
/// </summary>
public sealed class KeyVaultFaultTests : IAsyncLifetime
{
    private const string KeyId = "kv-key";
    private static readonly byte[] SecretBytes = "vault-secret-1"u8.ToArray();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly KeyVaultOptions _options = new();
    private KeyVaultFaultServer _vault = null!;

    /// <summary>Budget plus the slack of a loaded test machine: far below one SDK default attempt (100 s).</summary>
    private TimeSpan Bound => _options.Timeout + TimeSpan.FromSeconds(3);

    public static TheoryData<VaultFault> Faults() =>
    [
        VaultFault.Refuse, VaultFault.Reset, VaultFault.Stall, VaultFault.Unavailable, VaultFault.Throttled,
        VaultFault.AuthenticationFailed, VaultFault.CredentialUnavailable,
    ];

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFaultServer.StartAsync();
        _vault.Secrets[KeyVaultSecretKeyStore.SecretNameFor(KeyId)] = "vault-secret-1";
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AVaultFaultServesTheCachedSecretWhileItIsWithinItsStaleLimit(VaultFault fault)
    {
        using var store = Store();
        Assert.Equal(SecretBytes, await store.GetSecretAsync(KeyId, CancellationToken.None));

        _vault.Fault = fault;
        _time.Advance(_options.CacheDuration + TimeSpan.FromMinutes(1)); // both the value and the key list are due
        var clock = Stopwatch.StartNew();
        Assert.Equal(SecretBytes, await store.GetSecretAsync(KeyId, CancellationToken.None));
        Assert.True(clock.Elapsed < Bound, $"{fault}: the lookup took {clock.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AVaultFaultPastTheStaleLimitIsTheTypedUnavailableFailure(VaultFault fault)
    {
        using var store = Store();
        Assert.Equal(SecretBytes, await store.GetSecretAsync(KeyId, CancellationToken.None));

        _vault.Fault = fault;
        _time.Advance(_options.MaxStaleness + TimeSpan.FromMinutes(1));
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<SecretKeyStoreUnavailableException>(() => store.GetSecretAsync(KeyId, CancellationToken.None).AsTask());
        Assert.True(clock.Elapsed < Bound, $"{fault}: the lookup took {clock.Elapsed}");
        Assert.Contains("MaxStaleness", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AVaultFaultWithNothingCachedIsTheTypedUnavailableFailureWithinTheBudget(VaultFault fault)
    {
        using var store = Store();
        _vault.Fault = fault;
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<SecretKeyStoreUnavailableException>(() => store.GetSecretAsync(KeyId, CancellationToken.None).AsTask());
        Assert.True(clock.Elapsed < Bound, $"{fault}: the lookup took {clock.Elapsed}");
    }

    [Fact]
    public async Task A503IsRetriedAsTheBudgetAllowsThenGivenUp()
    {
        using var store = Store();
        _vault.Fault = VaultFault.Unavailable;
        await Assert.ThrowsAsync<SecretKeyStoreUnavailableException>(() => store.GetSecretAsync(KeyId, CancellationToken.None).AsTask());

        // The listing is the one call made; it is tried once plus the retries OutboundBudgets fits into the budget.
        Assert.Equal(OutboundBudgets.KeyVault(_options).Retry.MaxRetries + 1, _vault.Requests);
        Assert.True(OutboundBudgets.KeyVault(_options).Retry.MaxRetries >= 1, "the default budget leaves room for a retry");
    }

    private KeyVaultSecretKeyStore Store() =>
        new(_vault.Client(_options), _options, _time, NullLogger<KeyVaultSecretKeyStore>.Instance);
}
