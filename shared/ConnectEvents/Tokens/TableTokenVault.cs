using Azure;
using Azure.Data.Tables;
using ConnectEvents.Diagnostics;
using ConnectEvents.Storage;

namespace ConnectEvents.Tokens;

/// <summary>
/// <see cref="ITokenVault"/> on Azure Table storage (table <c>tokenvault</c> by default).
/// </summary>
/// <remarks>
/// <para>Two kinds of rows, both keyed with <see cref="TableKeys"/> (every part escaped, so a customer reference full of
/// <c>/ # ? |</c> is just data):</para>
/// <list type="bullet">
/// <item>token rows: PartitionKey = <c>{merchantId}|{customerReference}</c>, RowKey = <c>{tokenId}</c>: one partition per
/// customer, so listing a customer's tokens is a single-partition query;</item>
/// <item>index rows: PartitionKey = <c>tok|{merchantId}|{tokenId}</c>, RowKey = <c>{customerReference}</c>: which customers
/// hold a token, for token.deleted / token.expired events that carry only the token id.</item>
/// </list>
/// <para>The two kinds cannot collide: <c>|</c> inside a part is escaped, so a token row key has one bare <c>|</c> and an index
/// row key two. Writes go index first, then token row; removals token row first, then index row. A crash in between
/// leaves at worst an index row pointing at nothing, which removal skips, never a token that removal cannot find.</para>
/// </remarks>
public sealed class TableTokenVault : ITokenVault
{
    private readonly StoreTable _table;
    private readonly TokenVaultOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the vault over <paramref name="table"/>; the table is created on first use if missing.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TokenVaultOptions.MaxTokensPerCustomer"/> is below 1.</exception>
    public TableTokenVault(TableClient table, TokenVaultOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTokensPerCustomer, 1, nameof(options));
        _table = new StoreTable(table);
        _options = options;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc />
    public async Task<TokenAddResult> AddAndTrimAsync(StoredToken token, CancellationToken ct)
    {
        using var span = ConnectEventsTracing.Start("token-vault add"); // ids stay out of it: the Tables span beneath shows the calls
        ArgumentNullException.ThrowIfNull(token);
        ArgumentException.ThrowIfNullOrEmpty(token.MerchantId, nameof(token));
        ArgumentException.ThrowIfNullOrEmpty(token.CustomerReference, nameof(token));
        ArgumentException.ThrowIfNullOrEmpty(token.TokenId, nameof(token));
        token = token with { MaskedCard = MaskCard(token.MaskedCard) };

        await _table.RunAsync((t, c) => t.UpsertEntityAsync(IndexRow(token.MerchantId, token.CustomerReference, token.TokenId), TableUpdateMode.Replace, c), ct);
        bool isNew;
        try
        {
            await _table.RunAsync((t, c) => t.AddEntityAsync(TokenRow(token), c), ct);
            isNew = true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Already stored: refresh what the new sighting knows, keep CreatedAt and LastUsedAt.
            var refresh = new TableEntity(CustomerPartition(token.MerchantId, token.CustomerReference), TableKeys.Escape(token.TokenId));
            StoreTable.SetIfNotNull(refresh, "PaymentProductId", token.PaymentProductId);
            StoreTable.SetIfNotNull(refresh, "PaymentId", token.PaymentId);
            StoreTable.SetIfNotNull(refresh, "MaskedCard", token.MaskedCard);
            await _table.RunAsync((t, c) => t.UpdateEntityAsync(refresh, ETag.All, TableUpdateMode.Merge, c), ct);
            isNew = false;
        }

        var dropped = new List<StoredToken>();
        var tokens = await ListAsync(token.MerchantId, token.CustomerReference, ct);
        var excess = tokens.Count - _options.MaxTokensPerCustomer;
        if (excess > 0)
        {
            // One total order, least recently active first (last use, or creation for a token never used), the same for every
            // trim of this customer: concurrent trims then drop a prefix of it, so together they drop exactly the excess, and
            // a token just added is the most recent, never a victim. (Unused-first would make two fresh tokens, each unused,
            // the first victim of each other's trim.)
            var victims = tokens
                .Where(t => t.TokenId != token.TokenId)
                .OrderBy(t => t.LastUsedAt ?? t.CreatedAt)
                .ThenBy(t => t.CreatedAt)
                .ThenBy(t => t.TokenId, StringComparer.Ordinal)
                .Take(excess);
            foreach (var victim in victims)
            {
                if (await RemoveAsync(victim.MerchantId, victim.CustomerReference, victim.TokenId, ct))
                {
                    dropped.Add(victim);
                }
            }
        }

        return new TokenAddResult(isNew, dropped);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredToken>> ListAsync(string merchantId, string customerReference, CancellationToken ct)
    {
        var partition = CustomerPartition(merchantId, customerReference);
        var rows = await _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), ct);
        return rows.Select(row => FromTokenRow(row, merchantId, customerReference)).OrderByDescending(t => t.CreatedAt).ToList();
    }

    /// <inheritdoc />
    public async Task<bool> RemoveAsync(string merchantId, string customerReference, string tokenId, CancellationToken ct)
    {
        using var span = ConnectEventsTracing.Start("token-vault remove"); // ids stay out of it: the Tables span beneath shows the calls
        var partition = CustomerPartition(merchantId, customerReference);
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var existed = await DeleteAsync(partition, TableKeys.Escape(tokenId), ct);
        await DeleteAsync(IndexPartition(merchantId, tokenId), TableKeys.Escape(customerReference), ct);
        return existed;
    }

    /// <inheritdoc />
    public async Task<bool> IsHeldAsync(string merchantId, string tokenId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var partition = IndexPartition(merchantId, tokenId);
        var holders = await _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), ct);
        return holders.Count > 0;
    }

    /// <inheritdoc />
    public async Task<bool> IsHeldByAnotherAsync(string merchantId, string tokenId, string customerReference, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var partition = IndexPartition(merchantId, tokenId);
        var mine = TableKeys.Escape(customerReference);
        var holders = await _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ne {mine}"), ct);
        return holders.Count > 0;
    }

    /// <inheritdoc />
    public async Task<int> RemoveEverywhereAsync(string merchantId, string tokenId, CancellationToken ct)
    {
        using var span = ConnectEventsTracing.Start("token-vault remove-everywhere"); // ids stay out of it: the Tables span beneath shows the calls
        var partition = IndexPartition(merchantId, tokenId);
        var holders = await _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), ct);
        var removed = 0;
        foreach (var holder in holders)
        {
            var customer = TableKeys.TryUnescape(holder.RowKey, out var escaped) ? escaped : holder.GetString("CustomerReference") ?? holder.RowKey;
            if (await RemoveAsync(merchantId, customer, tokenId, ct))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <inheritdoc />
    public async Task MarkUsedAsync(string merchantId, string customerReference, IEnumerable<string> tokenIds, DateTimeOffset usedAt, CancellationToken ct)
    {
        using var span = ConnectEventsTracing.Start("token-vault mark-used"); // ids stay out of it: the Tables span beneath shows the calls
        ArgumentNullException.ThrowIfNull(tokenIds);
        var partition = CustomerPartition(merchantId, customerReference);
        foreach (var tokenId in tokenIds.Distinct(StringComparer.Ordinal))
        {
            var update = new TableEntity(partition, TableKeys.Escape(tokenId)) { ["LastUsedAt"] = usedAt };
            try
            {
                // Merge with If-Match * updates only an existing row: a token removed meanwhile is not brought back.
                await _table.RunAsync((t, c) => t.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, c), ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        }
    }

    /// <summary>Keeps only the last four digits of a card number (Connect already obfuscates; this makes sure no full number is ever stored).</summary>
    internal static string? MaskCard(string? card)
    {
        if (card is null || card.Count(char.IsAsciiDigit) <= 4)
        {
            return card;
        }

        var keep = 4;
        var masked = card.ToCharArray();
        for (var i = masked.Length - 1; i >= 0; i--)
        {
            if (char.IsAsciiDigit(masked[i]) && keep-- <= 0)
            {
                masked[i] = '*';
            }
        }

        return new string(masked);
    }

    private static string CustomerPartition(string merchantId, string customerReference) =>
        TableKeys.Composite(merchantId, customerReference);

    private static string IndexPartition(string merchantId, string tokenId) =>
        TableKeys.Composite("tok", merchantId, tokenId);

    private async Task<bool> DeleteAsync(string partition, string row, CancellationToken ct)
    {
        try
        {
            var response = await _table.RunAsync((t, c) => t.DeleteEntityAsync(partition, row, ETag.All, c), ct);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    private TableEntity TokenRow(StoredToken token)
    {
        var row = new TableEntity(CustomerPartition(token.MerchantId, token.CustomerReference), TableKeys.Escape(token.TokenId))
        {
            ["MerchantId"] = token.MerchantId,
            ["CustomerReference"] = token.CustomerReference,
            ["TokenId"] = token.TokenId,
            ["CreatedAt"] = token.CreatedAt == default ? _time.GetUtcNow() : token.CreatedAt,
        };
        StoreTable.SetIfNotNull(row, "PaymentProductId", token.PaymentProductId);
        StoreTable.SetIfNotNull(row, "PaymentId", token.PaymentId);
        StoreTable.SetIfNotNull(row, "LastUsedAt", token.LastUsedAt);
        StoreTable.SetIfNotNull(row, "MaskedCard", token.MaskedCard);
        return row;
    }

    private static TableEntity IndexRow(string merchantId, string customerReference, string tokenId) =>
        new(IndexPartition(merchantId, tokenId), TableKeys.Escape(customerReference))
        {
            ["MerchantId"] = merchantId,
            ["CustomerReference"] = customerReference,
            ["TokenId"] = tokenId,
        };

    private static StoredToken FromTokenRow(TableEntity e, string merchantId, string customerReference) =>
        new(merchantId,
            customerReference,
            TableKeys.TryUnescape(e.RowKey, out var tokenId) ? tokenId : e.GetString("TokenId") ?? e.RowKey,
            e.GetInt32("PaymentProductId"),
            e.GetString("PaymentId"),
            e.GetDateTimeOffset("CreatedAt") ?? e.Timestamp ?? default,
            e.GetDateTimeOffset("LastUsedAt"),
            e.GetString("MaskedCard"));
}
