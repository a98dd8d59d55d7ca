using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using ConnectEvents.Retention;
using ConnectEvents.Storage;

namespace ConnectEvents.Idempotence;

/// <summary>
/// <see cref="IProcessedEventStore"/> on Azure Table storage (table <c>processedevents</c> by default).
/// </summary>
/// <remarks>
/// <para>Keys: PartitionKey = the first three hex characters of SHA-256 of the event id (<see cref="TableKeys.EventPartition"/>,
/// 4096 partitions, so writes spread across partition servers whatever shape the ids have); RowKey = the event id escaped
/// for the key rules (<see cref="TableKeys.Escape"/>, reversible). The original id is also kept in the <c>EventId</c> property.</para>
/// <para>Every state change is insert-first or ETag-conditional, never check-then-write: the claim is <c>AddEntity</c>; a
/// conflict reads the row and takes over only with <c>UpdateEntity(ifMatch: etag)</c>, so of any number of concurrent
/// claimers exactly one wins.</para>
/// <para>Index rows (<see cref="RecordIndex"/>) in the same table let operators find the Failed records of recent days
/// and the records of a payment without reading every record: the claim writes the payment's row alongside the record,
/// a failure writes the day's failed row before the record, and readers keep only what the records still say.</para>
/// </remarks>
public sealed class TableProcessedEventStore : IProcessedEventStore
{
    /// <summary>The default table name.</summary>
    public const string DefaultTableName = "processedevents";

    // Table string properties hold 64 KiB (32 K UTF-16 code units); longer detail is split over numbered properties.
    private const int ChunkChars = 30_000;
    private const int MaxChunks = 8;
    private const int MaxShortText = 4_000;
    private const int MaxLoops = 16;

    // Point reads an index query makes at once; transactions a reindex submits at once.
    private const int ReadsAtOnce = 16;
    private const int BatchesAtOnce = 8;
    private const int MaxBatch = 100; // a table transaction's limit

    private readonly StoreTable _table;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over <paramref name="table"/>; the table is created on first use if missing.</summary>
    public TableProcessedEventStore(TableClient table, TimeProvider time)
    {
        _table = new StoreTable(table);
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc />
    public async Task<ClaimResult> ClaimAsync(string eventId, string owner, TimeSpan lease, EventClaimInfo info, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var (pk, rk) = Keys(eventId);
        if (info.Body is { } body && StorableBody(body) is null)
        {
            info = info with { Body = null }; // too large to keep: the record is written without it
        }

        ProcessedEventRecord? current = null;
        for (var loop = 0; loop < MaxLoops; loop++)
        {
            var now = _time.GetUtcNow();
            if (current is null)
            {
                var fresh = ClaimRule.Fresh(eventId, owner, now, lease, info);
                try
                {
                    var added = await AlongsideAsync(
                        _table.RunAsync((t, c) => t.AddEntityAsync(ToEntity(fresh, pk, rk), c), ct), IndexPaymentAsync(fresh, now, ct));
                    return new ClaimResult(ClaimStatus.Claimed, fresh with { ETag = added.Headers.ETag ?? default });
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    current = await GetAsync(eventId, ct);
                    if (current is null)
                    {
                        continue; // deleted in between: insert again
                    }
                }
            }

            if (ClaimRule.Refusal(current, owner, now, info.Recurrence) is { } refusal)
            {
                return refusal;
            }

            var takeover = ClaimRule.Takeover(current, owner, now, lease, info);
            try
            {
                var updated = await AlongsideAsync(ReplaceAsync(takeover, current.ETag, ct), IndexPaymentAsync(takeover, now, ct));
                return new ClaimResult(ClaimStatus.Claimed, takeover with { ETag = updated });
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                current = await GetAsync(eventId, ct); // someone else moved first: decide again on what is there now
            }
        }

        return new ClaimResult(ClaimStatus.InProgressElsewhere, current);
    }

    /// <inheritdoc />
    public Task CompleteAsync(ProcessedEventRecord claimed, string outcome, string? detailJson, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(outcome);
        return FinishAsync(claimed, ProcessingState.Completed, outcome, detailJson, ct);
    }

    /// <inheritdoc />
    public Task FailAsync(ProcessedEventRecord claimed, string reason, string? detailJson, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return FinishAsync(claimed, ProcessingState.Failed, reason, detailJson, ct);
    }

    /// <inheritdoc />
    public async Task MarkDeadLetteredAsync(string eventId, string reason, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var (pk, rk) = Keys(eventId);
        for (var loop = 0; loop < MaxLoops; loop++)
        {
            var now = _time.GetUtcNow();
            var current = await GetAsync(eventId, ct);
            try
            {
                if (current is null)
                {
                    var record = new ProcessedEventRecord(eventId, ProcessingState.DeadLettered, null, null, 0,
                        null, null, null, reason, null, now, now, default) { UpdatedAt = now };
                    await _table.RunAsync((t, c) => t.AddEntityAsync(ToEntity(record, pk, rk), c), ct);
                    return;
                }

                if (current.State is ProcessingState.Completed or ProcessingState.Failed)
                {
                    return;
                }

                // The lease owner stays for the audit trail (and lets that owner still record a real outcome, see FinishAsync).
                await ReplaceAsync(current with
                {
                    State = ProcessingState.DeadLettered,
                    LeaseExpiresAt = null,
                    Outcome = reason,
                    CompletedAt = now,
                    UpdatedAt = now,
                }, current.ETag, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
            {
                // Raced with a claim or another writer: read again and decide again.
            }
        }

        throw new StoreUnavailableException($"Event '{eventId}' kept changing while being marked dead-lettered; try again.");
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(ProcessedEventRecord claimed, string? lastError, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        var now = _time.GetUtcNow();
        try
        {
            await ReplaceAsync(claimed with
            {
                State = ProcessingState.Processing,
                LeaseExpiresAt = now,
                LastError = Shorten(lastError),
                UpdatedAt = now,
            }, claimed.ETag, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            // The lease was already lost; the other owner's claim stands and there is nothing of ours to release.
        }
    }

    /// <inheritdoc />
    public async Task<ReopenResult> ReopenAsync(string eventId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        return await ReopenAsync(eventId, await GetAsync(eventId, ct), ct);
    }

    /// <summary>
    /// <see cref="ReopenAsync(string, CancellationToken)"/> starting from <paramref name="known"/>, the record as the caller
    /// just read it (null: none), so the record is read again only when it changed meanwhile (the write is ETag-conditional).
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    public async Task<ReopenResult> ReopenAsync(string eventId, ProcessedEventRecord? known, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        var current = known;
        for (var loop = 0; loop < MaxLoops; loop++)
        {
            var now = _time.GetUtcNow();
            if (ReopenRule.Refusal(current, now) is { } refusal)
            {
                return refusal;
            }

            var reopened = ReopenRule.Reopened(current!, now) with { LastError = Shorten($"reopened for replay; was {current!.State}: {current.Outcome}") };
            try
            {
                var etag = await ReplaceAsync(reopened, current.ETag, ct);
                return new ReopenResult(ReopenStatus.Reopened, reopened with { ETag = etag });
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                // Changed since read (a late delivery's outcome, a claim): decide again on what is there now.
                current = await GetAsync(eventId, ct);
            }
        }

        throw new StoreUnavailableException($"Event '{eventId}' kept changing while being reopened; try again.");
    }

    /// <summary>
    /// Reads the records that match every given condition (state, payment id, written at or after <paramref name="since"/>),
    /// for operators: a scan of every record, so neither for the processing path nor for the questions the index answers
    /// (<see cref="FailedAsync"/>, <see cref="PaymentAsync"/>).
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    public async Task<IReadOnlyList<ProcessedEventRecord>> QueryAsync(
        ProcessingState? state, string? paymentId, DateTimeOffset? since, CancellationToken ct)
    {
        var conditions = new List<string> { RecordIndex.RecordsOnly };
        if (state is { } s)
        {
            conditions.Add(TableClient.CreateQueryFilter($"State eq {s.ToString()}"));
        }

        if (paymentId is not null)
        {
            conditions.Add(TableClient.CreateQueryFilter($"PaymentId eq {paymentId}"));
        }

        if (since is { } t)
        {
            conditions.Add(TableClient.CreateQueryFilter($"UpdatedAt ge {t}"));
        }

        var filter = string.Join(" and ", conditions);
        var rows = await _table.QueryAsync<TableEntity>(filter, ct);
        return [.. rows.Select(FromEntity).OrderBy(r => r.UpdatedAt ?? r.FirstSeenAt)];
    }

    /// <summary>
    /// The Failed records last written at or after <paramref name="since"/> (all of them when null), oldest first, found
    /// through the failed index: the rows of the days from <paramref name="since"/>'s, then one read per row. A row whose
    /// record is gone or says otherwise now is left out, and deleted once older than <see cref="RecordIndex.Grace"/>.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    public async Task<IReadOnlyList<ProcessedEventRecord>> FailedAsync(DateTimeOffset? since, CancellationToken ct)
    {
        var rows = await _table.QueryAsync<TableEntity>(RecordIndex.FailedFilter(since), ct);
        var records = await ResolveAsync(rows, ct);
        return [.. records.Where(r => since is null || r.UpdatedAt >= since).OrderBy(r => r.UpdatedAt ?? r.FirstSeenAt)];
    }

    /// <summary>
    /// The records of the events about <paramref name="paymentId"/>, oldest first, found through the payment index (one
    /// partition's key range, then one read per row); a row whose record is gone or about another payment is left out,
    /// and deleted once older than <see cref="RecordIndex.Grace"/>. A payment id too long to index is looked for by a scan.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    public async Task<IReadOnlyList<ProcessedEventRecord>> PaymentAsync(string paymentId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentId);
        if (!RecordIndex.Indexable(paymentId))
        {
            return await QueryAsync(null, paymentId, null, ct);
        }

        var rows = await _table.QueryAsync<TableEntity>(RecordIndex.PaymentFilter(paymentId), ct);
        var records = await ResolveAsync(rows, ct);
        return [.. records.OrderBy(r => r.UpdatedAt ?? r.FirstSeenAt)];
    }

    /// <summary>
    /// Writes the index rows of every record (a scan, once, for the records written before the index existed; running it
    /// again changes nothing), in table transactions of up to 100 rows of a partition, several at once.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    public Task<ReindexReport> ReindexAsync(CancellationToken ct) => _table.RunAsync(async (table, c) =>
    {
        int records = 0, failed = 0, payments = 0;
        var pending = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        var full = new List<List<TableEntity>>();
        string[] columns = ["RowKey", "EventId", "State", "PaymentId", "UpdatedAt", "CompletedAt", "FirstSeenAt"];
        await foreach (var entity in table.QueryAsync<TableEntity>(RecordIndex.RecordsOnly, select: columns, cancellationToken: c))
        {
            records++;
            foreach (var row in RecordIndex.RowsOf(FromEntity(entity)))
            {
                if (row.PartitionKey.StartsWith(RecordIndex.FailedPrefix, StringComparison.Ordinal))
                {
                    failed++;
                }
                else
                {
                    payments++;
                }

                if (!pending.TryGetValue(row.PartitionKey, out var batch))
                {
                    pending[row.PartitionKey] = batch = [];
                }

                batch.Add(row);
                if (batch.Count == MaxBatch)
                {
                    full.Add(batch);
                    pending.Remove(row.PartitionKey);
                }
            }

            if (full.Count >= BatchesAtOnce * 4)
            {
                await UpsertBatchesAsync(table, full, c);
            }
        }

        full.AddRange(pending.Values);
        await UpsertBatchesAsync(table, full, c);
        return new ReindexReport(records, failed, payments);
    }, ct);

    /// <summary>
    /// One retention pass: reads only the records last written before <see cref="RetentionRule.OldestUntouched"/>, a page
    /// of 100 at a time, and deletes or trims each as <paramref name="rule"/> decides, at most <paramref name="limit"/> of
    /// them. Every delete and trim is conditional on the ETag just read, so a record that changed meanwhile (a claim, a
    /// reopen, another run) is left alone, and another run's delete is no failure. A deleted record's index rows go with
    /// it, and the failed-index days older than the Failed period (rows whose records all went, or moved on) after them.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Storage could not be reached.</exception>
    public Task<RetentionReport> ExpireAsync(RetentionRule rule, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var filter = RecordIndex.RecordsOnly + " and " + TableClient.CreateQueryFilter($"UpdatedAt lt {rule.OldestUntouched}");
        return _table.RunAsync(async (table, c) =>
        {
            int deleted = 0, dropped = 0, skipped = 0, index = 0;
            RetentionReport Report(bool complete) => new(deleted, dropped, 0, skipped, complete) { IndexRowsDeleted = index };
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 100, cancellationToken: c))
            {
                var action = rule.Decide(FromEntity(entity));
                if (action == RetentionAction.Keep)
                {
                    continue;
                }

                if (deleted + dropped + skipped >= limit)
                {
                    return Report(complete: false);
                }

                try
                {
                    if (action == RetentionAction.Delete)
                    {
                        // The SDK answers a delete of a row already gone with its 404 response rather than an exception.
                        var response = await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, c);
                        if (response.Status == 404)
                        {
                            skipped++;
                        }
                        else
                        {
                            deleted++;
                            foreach (var row in RecordIndex.RowsOf(FromEntity(entity)))
                            {
                                index += await DeleteRowAsync(row.PartitionKey, row.RowKey, ETag.All, c) ? 1 : 0;
                            }
                        }
                    }
                    else
                    {
                        entity.Remove("Body");
                        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, c);
                        dropped++;
                    }
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                {
                    skipped++; // changed or deleted since read: the next run decides again on what is there then
                }
            }

            // Rows of days before the Failed period began point at records deleted by now (or that failed again later).
            await foreach (var row in table.QueryAsync<TableEntity>(RecordIndex.FailedBefore(rule.Now - rule.Options.Failed - TimeSpan.FromDays(1)), maxPerPage: 100, select: ["PartitionKey", "RowKey"], cancellationToken: c))
            {
                if (deleted + dropped + skipped + index >= limit)
                {
                    return Report(complete: false);
                }

                index += await DeleteRowAsync(row.PartitionKey, row.RowKey, row.ETag, c) ? 1 : 0;
            }

            return Report(complete: true);
        }, ct);
    }

    /// <inheritdoc />
    public async Task<ProcessedEventRecord?> GetAsync(string eventId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        var (pk, rk) = Keys(eventId);
        var response = await _table.RunAsync((t, c) => t.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: c), ct);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    private async Task FinishAsync(ProcessedEventRecord claimed, ProcessingState state, string outcome, string? detailJson, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        var etag = claimed.ETag;
        var now = _time.GetUtcNow();
        var final = claimed with
        {
            State = state,
            LeaseExpiresAt = null,
            Outcome = Shorten(outcome),
            DetailJson = detailJson,
            CompletedAt = now,
            UpdatedAt = now,
        };
        if (state == ProcessingState.Failed)
        {
            // Before the record: a failure is never without its row (a row without its failure is ignored and cleaned).
            await UpsertAsync(RecordIndex.FailedRow(claimed.EventId, now), ct);
        }

        for (var loop = 0; ; loop++)
        {
            try
            {
                await ReplaceAsync(final, etag, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                // Marked dead-lettered while we were still working (no one claimed since: same owner and attempts):
                // the work is done, so the real outcome replaces the dead-letter mark.
                var current = loop == 0 ? await GetAsync(claimed.EventId, ct) : null;
                if (current is not { State: ProcessingState.DeadLettered } ||
                    current.LeaseOwner != claimed.LeaseOwner || current.Attempts != claimed.Attempts)
                {
                    throw LeaseLostException.For(claimed.EventId, ex);
                }

                etag = current.ETag;
                final = final with { LastError = current.LastError };
            }
        }
    }

    /// <summary>Awaits <paramref name="write"/> and, whatever it did, <paramref name="index"/>, the index row written alongside it.</summary>
    private static async Task<T> AlongsideAsync<T>(Task<T> write, Task index)
    {
        try
        {
            return await write;
        }
        finally
        {
            await index;
        }
    }

    private Task IndexPaymentAsync(ProcessedEventRecord record, DateTimeOffset now, CancellationToken ct) =>
        RecordIndex.Indexable(record.PaymentId) ? UpsertAsync(RecordIndex.PaymentRow(record.PaymentId!, record.EventId, now), ct) : Task.CompletedTask;

    private async Task UpsertAsync(TableEntity row, CancellationToken ct) =>
        await _table.RunAsync((t, c) => t.UpsertEntityAsync(row, TableUpdateMode.Replace, c), ct);

    /// <summary>Reads the record of every row; returns those that still match their row, and deletes old rows that do not.</summary>
    private async Task<List<ProcessedEventRecord>> ResolveAsync(List<TableEntity> rows, CancellationToken ct)
    {
        var found = new ConcurrentDictionary<string, ProcessedEventRecord>(StringComparer.Ordinal);
        var stale = _time.GetUtcNow() - RecordIndex.Grace;
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = ReadsAtOnce, CancellationToken = ct }, async (row, c) =>
        {
            var record = RecordIndex.EventIdOf(row) is { Length: > 0 } id ? await GetAsync(id, c) : null;
            if (RecordIndex.Matches(row, record))
            {
                found[record!.EventId] = record;
            }
            else if (row.GetDateTimeOffset("At") is not { } at || at < stale)
            {
                try
                {
                    await DeleteRowAsync(row.PartitionKey, row.RowKey, row.ETag, c); // conditional: a row written again meanwhile stays
                }
                catch (RequestFailedException ex) when (ex.Status == 403)
                {
                    // A reader with read rights only (Storage Table Data Reader): the row stays, ignored, for a writer to clean.
                }
            }
        });
        return [.. found.Values];
    }

    /// <summary>Deletes one row if it is still as <paramref name="etag"/> says; false when it was gone or changed.</summary>
    private async Task<bool> DeleteRowAsync(string partition, string row, ETag etag, CancellationToken ct)
    {
        try
        {
            // The SDK answers a delete of a row already gone with its 404 response rather than an exception.
            var response = await _table.RunAsync((t, c) => t.DeleteEntityAsync(partition, row, etag, c), ct);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    private static async Task UpsertBatchesAsync(TableClient table, List<List<TableEntity>> batches, CancellationToken ct)
    {
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = BatchesAtOnce, CancellationToken = ct }, async (batch, c) =>
            await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), c));
        batches.Clear();
    }

    private async Task<ETag> ReplaceAsync(ProcessedEventRecord record, ETag ifMatch, CancellationToken ct)
    {
        var (pk, rk) = Keys(record.EventId);
        var entity = ToEntity(record, pk, rk);
        var response = await _table.RunAsync((t, c) => t.UpdateEntityAsync(entity, ifMatch, TableUpdateMode.Replace, c), ct);
        return response.Headers.ETag ?? default;
    }

    private static (string Partition, string Row) Keys(string eventId) =>
        (TableKeys.EventPartition(eventId), TableKeys.Escape(eventId));

    private static ReadOnlyMemory<byte>? StorableBody(ReadOnlyMemory<byte>? body) =>
        body is { Length: > 0 and <= EventClaimInfo.MaxStoredBodyBytes } ? body : null;

    private static string? Shorten(string? text) =>
        text is { Length: > MaxShortText } ? string.Concat(text.AsSpan(0, MaxShortText), "…") : text;

    /// <summary>The entity of a record under its keys (internal for the load tool, which seeds tables in transactions).</summary>
    internal static TableEntity ToEntity(ProcessedEventRecord r, string pk, string rk)
    {
        var entity = new TableEntity(pk, rk);
        StoreTable.SetIfNotNull(entity, "EventId", r.EventId);
        StoreTable.SetIfNotNull(entity, "State", r.State.ToString());
        StoreTable.SetIfNotNull(entity, "LeaseOwner", r.LeaseOwner);
        StoreTable.SetIfNotNull(entity, "LeaseExpiresAt", r.LeaseExpiresAt);
        StoreTable.SetIfNotNull(entity, "Attempts", r.Attempts);
        StoreTable.SetIfNotNull(entity, "EventType", r.EventType);
        StoreTable.SetIfNotNull(entity, "MerchantId", r.MerchantId);
        StoreTable.SetIfNotNull(entity, "PaymentId", r.PaymentId);
        StoreTable.SetIfNotNull(entity, "Outcome", r.Outcome);
        StoreTable.SetIfNotNull(entity, "FirstSeenAt", r.FirstSeenAt);
        StoreTable.SetIfNotNull(entity, "CompletedAt", r.CompletedAt);
        StoreTable.SetIfNotNull(entity, "LastError", r.LastError);
        StoreTable.SetIfNotNull(entity, "UpdatedAt", r.UpdatedAt);
        StoreTable.SetIfNotNull(entity, "ClaimedAt", r.ClaimedAt);
        StoreTable.SetIfNotNull(entity, "TraceParents", r.TraceParents);
        if (r.ReplayGeneration > 0)
        {
            entity["ReplayGeneration"] = r.ReplayGeneration; // absent until the first replay: older rows read as generation 0
        }

        if (r.RedriveCount > 0)
        {
            entity["RedriveCount"] = r.RedriveCount;
        }

        WriteDetail(entity, r.DetailJson);
        if (StorableBody(r.Body) is { } body)
        {
            entity["Body"] = body.ToArray();
        }

        return entity;
    }

    private static void WriteDetail(TableEntity entity, string? detail)
    {
        if (detail is null)
        {
            return;
        }

        if (detail.Length > ChunkChars * MaxChunks)
        {
            // Bigger than a table entity can sensibly hold: keep a valid JSON marker instead of a cut-off document.
            detail = $"{{\"truncated\":true,\"originalLength\":{detail.Length}}}";
        }

        for (var i = 0; i * ChunkChars < detail.Length; i++)
        {
            var start = i * ChunkChars;
            var length = Math.Min(ChunkChars, detail.Length - start);
            entity[i == 0 ? "DetailJson" : $"DetailJson{i}"] = detail.Substring(start, length);
        }
    }

    private static string? ReadDetail(TableEntity entity)
    {
        var first = entity.GetString("DetailJson");
        if (first is null || !entity.ContainsKey("DetailJson1"))
        {
            return first;
        }

        var all = new System.Text.StringBuilder(first);
        for (var i = 1; entity.GetString($"DetailJson{i}") is { } next; i++)
        {
            all.Append(next);
        }

        return all.ToString();
    }

    private static ProcessedEventRecord FromEntity(TableEntity e) =>
        new(TableKeys.TryUnescape(e.RowKey, out var id) ? id : e.GetString("EventId") ?? e.RowKey,
            Enum.TryParse<ProcessingState>(e.GetString("State"), out var state) ? state : ProcessingState.Processing,
            e.GetString("LeaseOwner"),
            e.GetDateTimeOffset("LeaseExpiresAt"),
            e.GetInt32("Attempts") ?? 0,
            e.GetString("EventType"),
            e.GetString("MerchantId"),
            e.GetString("PaymentId"),
            e.GetString("Outcome"),
            ReadDetail(e),
            e.GetDateTimeOffset("FirstSeenAt"),
            e.GetDateTimeOffset("CompletedAt"),
            e.ETag)
        {
            LastError = e.GetString("LastError"),
            UpdatedAt = e.GetDateTimeOffset("UpdatedAt"),
            ClaimedAt = e.GetDateTimeOffset("ClaimedAt"),
            TraceParents = e.GetString("TraceParents"),
            ReplayGeneration = e.GetInt32("ReplayGeneration") ?? 0,
            RedriveCount = e.GetInt32("RedriveCount") ?? 0,
            Body = e.GetBinary("Body") is { } body ? new ReadOnlyMemory<byte>(body) : (ReadOnlyMemory<byte>?)null, // a bare null would become an empty memory
        };
}
