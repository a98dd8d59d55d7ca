using Azure.Data.Tables;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace ConnectEvents.IntegrationTests.Tokens;

public sealed class TokenVaultTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    private const string Merchant = "1234";
    private static readonly string[] NewTokens = ["new-a", "new-b"];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private TableTokenVault NewVault(int max = 10) =>
        new(new TableClient(fixture.ConnectionString, AzuriteFixture.UniqueName("vault")),
            new TokenVaultOptions { MaxTokensPerCustomer = max }, _time);

    private StoredToken Token(string customer, string tokenId, int minutesAgo = 0, DateTimeOffset? lastUsed = null) =>
        new(Merchant, customer, tokenId, 1, "pay-" + tokenId, _time.GetUtcNow().AddMinutes(-minutesAgo), lastUsed, "************1111");

    [Fact]
    public async Task AddedTokensAreListedNewestFirstAndRemovedOneByOne()
    {
        var vault = NewVault();
        Assert.True((await vault.AddAndTrimAsync(Token("cust-1", "tok-a", minutesAgo: 10), default)).IsNew);
        Assert.True((await vault.AddAndTrimAsync(Token("cust-1", "tok-b"), default)).IsNew);
        Assert.True((await vault.AddAndTrimAsync(Token("cust-2", "tok-c"), default)).IsNew);

        var listed = await vault.ListAsync(Merchant, "cust-1", default);
        Assert.Equal(["tok-b", "tok-a"], listed.Select(t => t.TokenId));
        Assert.Equal(Token("cust-1", "tok-a", minutesAgo: 10), listed[1]);

        Assert.True(await vault.RemoveAsync(Merchant, "cust-1", "tok-a", default));
        Assert.False(await vault.RemoveAsync(Merchant, "cust-1", "tok-a", default));
        Assert.Equal(["tok-b"], (await vault.ListAsync(Merchant, "cust-1", default)).Select(t => t.TokenId));
        Assert.Single(await vault.ListAsync(Merchant, "cust-2", default));
        Assert.Empty(await vault.ListAsync("9999", "cust-1", default));
    }

    [Fact]
    public async Task AddingTheSameTokenAgainStoresItOnceAndKeepsItsHistory()
    {
        var vault = NewVault();
        var first = Token("cust-1", "tok-a", minutesAgo: 30);
        Assert.True((await vault.AddAndTrimAsync(first, default)).IsNew);
        await vault.MarkUsedAsync(Merchant, "cust-1", ["tok-a"], _time.GetUtcNow(), default);

        Assert.False((await vault.AddAndTrimAsync(first with { CreatedAt = _time.GetUtcNow(), PaymentId = "pay-later" }, default)).IsNew);

        var stored = Assert.Single(await vault.ListAsync(Merchant, "cust-1", default));
        Assert.Equal((first.CreatedAt, _time.GetUtcNow(), "pay-later"), (stored.CreatedAt, stored.LastUsedAt, stored.PaymentId));
    }

    [Fact]
    public async Task TheCapDropsTheLeastRecentlyActiveTokensFirst()
    {
        var vault = NewVault(max: 3);
        var now = _time.GetUtcNow();
        await vault.AddAndTrimAsync(Token("cust", "used-old", minutesAgo: 50, lastUsed: now.AddMinutes(-40)), default);
        await vault.AddAndTrimAsync(Token("cust", "unused-oldest", minutesAgo: 30), default);
        await vault.AddAndTrimAsync(Token("cust", "used-recently", minutesAgo: 60, lastUsed: now.AddMinutes(-5)), default);

        var fourth = await vault.AddAndTrimAsync(Token("cust", "new-1"), default);
        Assert.True(fourth.IsNew);
        Assert.Equal(["used-old"], fourth.Dropped.Select(t => t.TokenId)); // last active 40 min ago

        var fifth = await vault.AddAndTrimAsync(Token("cust", "new-2"), default);
        Assert.Equal(["unused-oldest"], fifth.Dropped.Select(t => t.TokenId)); // never used, created 30 min ago

        await vault.MarkUsedAsync(Merchant, "cust", ["new-1", "new-2"], now, default);
        var sixth = await vault.AddAndTrimAsync(Token("cust", "new-3"), default);
        Assert.Equal(["used-recently"], sixth.Dropped.Select(t => t.TokenId));

        Assert.Equal(["new-1", "new-2", "new-3"], (await vault.ListAsync(Merchant, "cust", default)).Select(t => t.TokenId).Order());
        Assert.Equal(0, await vault.RemoveEverywhereAsync(Merchant, "unused-oldest", default)); // its index row went with it
    }

    [Fact]
    public async Task TwoTokensAddedAtOnceAtTheCapBothStayAndTheCapHolds()
    {
        // Every round: a customer at the cap with used tokens, and two new tokens stored by two runs started together.
        for (var round = 0; round < 20; round++)
        {
            var vault = NewVault(max: 3);
            var customer = $"cust-{round}";
            var now = _time.GetUtcNow();
            for (var i = 0; i < 3; i++)
            {
                await vault.AddAndTrimAsync(Token(customer, $"old-{i}", minutesAgo: 60 - i, lastUsed: now.AddMinutes(-30 + i)), default);
            }

            using var start = new Barrier(2);
            var runs = NewTokens.Select(id => Task.Run(async () =>
            {
                start.SignalAndWait();
                return await vault.AddAndTrimAsync(Token(customer, id), default);
            })).ToArray();
            var results = await Task.WhenAll(runs);

            var left = (await vault.ListAsync(Merchant, customer, default)).Select(t => t.TokenId).Order().ToList();
            var dropped = results.SelectMany(r => r.Dropped).Select(t => t.TokenId).ToList();
            Assert.True(left.Count == 3, $"round {round}: {string.Join(", ", left)}; dropped {string.Join(", ", dropped)}");
            Assert.True(left.Contains("new-a") && left.Contains("new-b"), $"round {round}: a new token was dropped: left {string.Join(", ", left)}; dropped {string.Join(", ", dropped)}");
            Assert.DoesNotContain(dropped, id => id.StartsWith("new-", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ATokenAnotherCustomerHoldsIsStillHeldAfterOneCustomerDropsIt()
    {
        var vault = NewVault(max: 1);
        await vault.AddAndTrimAsync(Token("cust-1", "shared-card"), default);
        await vault.AddAndTrimAsync(Token("cust-2", "shared-card"), default);

        var added = await vault.AddAndTrimAsync(Token("cust-1", "other-card"), default);

        Assert.Equal(["shared-card"], added.Dropped.Select(t => t.TokenId));
        Assert.True(await vault.IsHeldAsync(Merchant, "shared-card", default));
        await vault.RemoveAsync(Merchant, "cust-2", "shared-card", default);
        Assert.False(await vault.IsHeldAsync(Merchant, "shared-card", default));
    }

    [Fact]
    public async Task ATokenIsHeldByAnotherOnlyWhileACustomerBesidesTheAskingOneHoldsIt()
    {
        var vault = NewVault(max: 5);
        await vault.AddAndTrimAsync(Token("cust|1", "card-x"), default);

        var aloneFirst = await vault.IsHeldByAnotherAsync(Merchant, "card-x", "cust|1", default);
        await vault.AddAndTrimAsync(Token("cust#2", "card-x"), default);
        var shared = await vault.IsHeldByAnotherAsync(Merchant, "card-x", "cust|1", default);
        var sharedOther = await vault.IsHeldByAnotherAsync(Merchant, "card-x", "cust#2", default);

        Assert.False(aloneFirst);
        Assert.True(shared);
        Assert.True(sharedOther);
    }

    [Fact]
    public async Task TheTokenBeingAddedIsNeverTheOneDropped()
    {
        var vault = NewVault(max: 1);
        var now = _time.GetUtcNow();
        await vault.AddAndTrimAsync(Token("cust", "used", minutesAgo: 5, lastUsed: now), default);

        var added = await vault.AddAndTrimAsync(Token("cust", "fresh"), default);

        Assert.Equal(["used"], added.Dropped.Select(t => t.TokenId));
        Assert.Equal("fresh", Assert.Single(await vault.ListAsync(Merchant, "cust", default)).TokenId);
    }

    [Fact]
    public async Task RemoveEverywhereFindsEveryCustomerHoldingTheTokenThroughTheIndex()
    {
        var vault = NewVault();
        await vault.AddAndTrimAsync(Token("cust-1", "shared-token"), default);
        await vault.AddAndTrimAsync(Token("cust-2", "shared-token"), default);
        await vault.AddAndTrimAsync(Token("cust-2", "other-token"), default);
        await vault.AddAndTrimAsync(new StoredToken("5678", "cust-1", "shared-token", null, null, _time.GetUtcNow(), null, null), default);

        Assert.Equal(2, await vault.RemoveEverywhereAsync(Merchant, "shared-token", default));

        Assert.Empty(await vault.ListAsync(Merchant, "cust-1", default));
        Assert.Equal(["other-token"], (await vault.ListAsync(Merchant, "cust-2", default)).Select(t => t.TokenId));
        Assert.Single(await vault.ListAsync("5678", "cust-1", default)); // another merchant's token of the same id stays
        Assert.Equal(0, await vault.RemoveEverywhereAsync(Merchant, "shared-token", default));
    }

    [Fact]
    public async Task MarkUsedSetsLastUsedAndNeverBringsBackARemovedToken()
    {
        var vault = NewVault();
        await vault.AddAndTrimAsync(Token("cust", "kept"), default);
        await vault.AddAndTrimAsync(Token("cust", "gone"), default);
        await vault.RemoveAsync(Merchant, "cust", "gone", default);
        var when = _time.GetUtcNow().AddMinutes(1);

        await vault.MarkUsedAsync(Merchant, "cust", ["kept", "gone", "never-there"], when, default);

        Assert.Equal(when, Assert.Single(await vault.ListAsync(Merchant, "cust", default)).LastUsedAt);
    }

    [Fact]
    public async Task HostileCustomerReferencesAndTokenIdsAreJustData()
    {
        var vault = NewVault();
        string[] customers = ["a/b", "a|b", "a", "a%7Cb", "x#y?z\\w", "O'Brien", "tab\tcr\r\u0085", "ünï 鍵 🔑", "lone\udc00", new string('c', 300), new string('/', 400), "  "];

        foreach (var customer in customers)
        {
            await vault.AddAndTrimAsync(Token(customer, "tok/" + customer), default);
        }

        foreach (var customer in customers)
        {
            var listed = Assert.Single(await vault.ListAsync(Merchant, customer, default));
            Assert.Equal((customer, "tok/" + customer), (listed.CustomerReference, listed.TokenId));
        }

        // "a|b" as merchant+customer must not reach merchant "a", customer "b" (or the reverse).
        await vault.AddAndTrimAsync(new StoredToken("m|x", "y", "t1", null, null, _time.GetUtcNow(), null, null), default);
        Assert.Empty(await vault.ListAsync("m", "x|y", default));
        Assert.Equal(1, await vault.RemoveEverywhereAsync(Merchant, "tok/a|b", default));
        Assert.Single(await vault.ListAsync(Merchant, "a", default));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => vault.AddAndTrimAsync(Token("", "tok"), default));
    }

    [Fact]
    public async Task AFullCardNumberIsNeverStored()
    {
        var vault = NewVault();
        await vault.AddAndTrimAsync(Token("cust", "tok") with { MaskedCard = "4111111111111111" }, default);

        Assert.Equal("************1111", Assert.Single(await vault.ListAsync(Merchant, "cust", default)).MaskedCard);
    }
}
