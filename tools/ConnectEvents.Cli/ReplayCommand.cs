using System.Text.RegularExpressions;
using ConnectEvents.Diagnostics;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Webhooks;

namespace ConnectEvents.Cli;

/// <summary>
/// <c>connect-events replay</c>: puts quarantined events, Failed records and poison messages back on the processing queue.
/// Nothing is processed here: the queue trigger claims a replayed event like any delivery, so an effect that already
/// happened is never repeated (a Completed record is skipped by the claim, and is not even enqueued).
/// </summary>
internal static partial class ReplayCommand
{
    public const string Usage = """
        usage: connect-events replay <event-id|quarantine-entry-id>... [--dry-run] [--visibility 10m] [--storage CONN|ACCOUNT] [--settings FILE]
               connect-events replay --failed|--quarantined|--poison [--since 24h|TIME] [--dry-run] [--visibility 10m] [--storage ...] [--settings FILE]
        Replays through the processing queue, so the processor's claim decides (an effect never happens twice):
          quarantined  re-verified: the signature kept with the entry must verify under the current secret of its
                       key id (so a retired or changed key refuses it), and
                       the current envelope checks (apiVersion v1, id/type/merchantId), then enqueued; the entry
                       is kept and marked replayed
          Failed       the record is reopened (ETag-conditional; never a Completed one) and the event bytes it
                       stored are enqueued; a record without stored bytes is skipped, nothing is rebuilt
          poison       the message goes back to its processing queue (Connect's or the v3 platform's), then is deleted
                       from <queue>-poison; a run goes through each poison queue once, in passes with a progress line,
                       handling each message once and each event at most once (an event that fails again
                       during the run is left for the next run).
                       --visibility (default 10m) is how long messages it looks at and leaves stay hidden meanwhile
        An id is looked up as a quarantine entry id, then in the poison queue, then as a record.
        --dry-run prints what would be done and changes nothing. Exit 1 when anything selected could not be replayed.
        """;

    private static readonly string[] Kinds = ["--failed", "--quarantined", "--poison"];

    public static async Task<int> RunAsync(string[] argv, CliEnvironment env, CancellationToken ct)
    {
        var args = CliArgs.Parse(argv, [.. Kinds, "--dry-run"], ["--since", "--visibility"]);
        var kind = args.OneOf(Kinds, optional: true);
        var ids = args.Positionals;
        if ((kind is null) == (ids.Count == 0))
        {
            throw new UsageException(kind is null ? $"give event ids or one of {string.Join(", ", Kinds)}" : "give ids or a filter, not both");
        }

        if (kind is null && args.Option("--since") is not null)
        {
            throw new UsageException("--since goes with a filter (--failed, --quarantined, --poison), not with ids");
        }

        var since = args.Since(DateTimeOffset.UtcNow);
        var visibility = Operations.DefaultScanVisibility;
        if (args.Option("--visibility") is { } given && (!CliArgs.TryDuration(given, out visibility) || visibility < TimeSpan.FromSeconds(1) || visibility > TimeSpan.FromDays(7)))
        {
            throw new UsageException($"--visibility '{given}' is not a duration from 1s to 7d (90s, 15m, 2h)");
        }

        await using var ops = Operations.Open(args, env, ct);
        var run = new Run(ops, args.Has("--dry-run"), visibility);
        switch (kind)
        {
            case "--failed":
                foreach (var r in await ops.TableAsync(c => ops.Store.FailedAsync(since, c)))
                {
                    await run.RecordAsync(r);
                }

                break;
            case "--quarantined":
                foreach (var q in (await ops.ListQuarantineAsync(since)).Where(q => q.ReplayedAt is null))
                {
                    await run.QuarantineAsync(q);
                }

                break;
            case "--poison":
                await run.PoisonAsync(m => since is null || m.InsertedOn >= since);
                break;
            default:
                await ReplayIdsAsync(ops, run, ids);
                break;
        }

        var verb = run.DryRun ? "would replay" : "replayed";
        await env.Error.WriteLineAsync($"{verb} {run.Replayed}, nothing to do for {run.NothingToDo}, not replayed {run.NotReplayed}{(run.DryRun ? " (dry run: nothing changed)" : "")}");
        return run.NotReplayed > 0 ? CliApp.ExitFailure : CliApp.ExitOk;
    }

    private static async Task ReplayIdsAsync(Operations ops, Run run, List<string> ids)
    {
        var entryIds = ids.Where(id => QuarantineEntryId().IsMatch(id)).ToHashSet(StringComparer.Ordinal);
        if (entryIds.Count > 0)
        {
            foreach (var q in (await ops.ListQuarantineAsync(null)).Where(q => entryIds.Remove(q.EntryId)))
            {
                await run.QuarantineAsync(q);
            }

            foreach (var missing in entryIds)
            {
                await run.NotReplayedAsync(missing, $"no quarantine entry {missing} in container {ops.Settings.QuarantineContainer} (Webhooks__QuarantineContainer)");
            }
        }

        var rest = ids.Where(id => !QuarantineEntryId().IsMatch(id)).ToHashSet(StringComparer.Ordinal);
        var found = await run.PoisonAsync(m => rest.Contains(m.EventId) || rest.Contains(m.MessageId));
        foreach (var id in rest.Where(id => !found.Contains(id)))
        {
            var record = await ops.TableAsync(c => ops.Store.GetAsync(id, c));
            if (record is null)
            {
                await run.NotReplayedAsync(id, $"no record of event {id} in table {ops.Settings.TableName} (Processing__Store__TableName), and not in the poison queue");
            }
            else
            {
                await run.RecordAsync(record);
            }
        }
    }

    /// <summary>A quarantine entry id as the webhook names it: <c>HHmmssfff-{guid:N}</c>.</summary>
    [GeneratedRegex("^[0-9]{9}-[0-9a-f]{32}$")]
    private static partial Regex QuarantineEntryId();

    /// <summary>One replay run: what it did, and its counts.</summary>
    private sealed class Run(Operations ops, bool dryRun, TimeSpan visibility)
    {
        public bool DryRun { get; } = dryRun;

        public int Replayed { get; private set; }

        public int NothingToDo { get; private set; }

        public int NotReplayed { get; private set; }

        private TextWriter Out => ops.Env.Out;

        /// <summary>Replays a record as it was just read: reopened (ETag-conditional) and its stored bytes enqueued unparsed.</summary>
        public async Task RecordAsync(ProcessedEventRecord record)
        {
            var id = record.EventId;
            var body = record.Body;
            // One decision by the store's rule: a dry run (or a record with nothing to enqueue) asks it without writing.
            var decision = DryRun || body is null
                ? ReopenRule.Refusal(record, DateTimeOffset.UtcNow) ?? new ReopenResult(ReopenStatus.Reopened, record)
                : await ops.TableAsync(c => ops.Store.ReopenAsync(id, record, c));
            switch (decision.Status)
            {
                case ReopenStatus.Completed:
                    await NothingAsync(id, $"Completed ({decision.Record?.Outcome}): its effects already happened, nothing enqueued");
                    break;
                case ReopenStatus.InProgress:
                    await NothingAsync(id, $"being processed now (lease until {RecordView.Time(decision.Record?.LeaseExpiresAt)}); not replayed");
                    break;
                case ReopenStatus.NotFound:
                    await NotReplayedAsync(id, "its record vanished meanwhile");
                    break;
                case var _ when body is null:
                    await NotReplayedAsync(id, $"{record.State}, but its record holds no event bytes (claimed before bodies were kept, or over {EventClaimInfo.MaxStoredBodyBytes} bytes): nothing rebuilt; look for it in the poison queue or quarantine");
                    break;
                case var _ when DryRun:
                    await ReplayedAsync(id, $"would reopen ({record.State}: {record.Outcome ?? record.LastError}) and enqueue its {body.Value.Length} bytes");
                    break;
                default:
                    await ops.EnqueueAsync(body.Value, QueueTraceHeader.LinkTo(record.LastTraceParent)?.Context);
                    await ReplayedAsync(id, $"reopened ({record.State}: {record.Outcome ?? record.LastError}) and enqueued on {ops.Settings.QueueName}");
                    break;
            }
        }

        public async Task QuarantineAsync(QuarantineBlob entry)
        {
            var id = entry.EntryId;
            var stored = await ops.BlobAsync(c => ops.Quarantine.ReadAsync(entry.BlobName, c));
            if (stored is null)
            {
                await NotReplayedAsync(id, "the entry vanished");
                return;
            }

            var (keys, publisher) = ops.WebhookServices();
            byte[]? secret;
            try
            {
                secret = stored.KeyId is null ? null : await keys.GetSecretAsync(stored.KeyId, CancellationToken.None);
            }
            catch (SecretKeyStoreUnavailableException ex)
            {
                throw new CliFailureException($"the webhook secret key store is unavailable: {ex.Message}");
            }

            if (secret is null)
            {
                await NotReplayedAsync(id, $"signed with key id '{stored.KeyId}', which is not among the current webhook secret keys (Webhooks__SecretKeys__<n>__KeyId, Webhooks__KeyVault__VaultUri): not replayed");
                return;
            }

            if (stored.Signature is not { } signature || !WebhookVerifier.IsValidSignature(stored.Body, signature, secret))
            {
                await NotReplayedAsync(id, stored.Signature is null
                    ? "no signature was kept with this entry, so its bytes cannot be verified again: not replayed"
                    : $"its signature does not verify under the current secret of key id '{stored.KeyId}': not replayed");
                return;
            }

            var parsed = ConnectEventEnvelope.Parse(stored.Body);
            if (parsed.Envelope is not { } envelope)
            {
                await NotReplayedAsync(id, $"still unusable: {parsed.Error} (quarantined for: {stored.Reason})");
                return;
            }

            if (await ops.TableAsync(c => ops.Store.GetAsync(envelope.Id, c)) is { State: ProcessingState.Completed or ProcessingState.Failed } record)
            {
                await NothingAsync(id, $"event {envelope.Id} is already {record.State} ({record.Outcome}): nothing enqueued{(record.State == ProcessingState.Failed ? $"; replay {envelope.Id} replays the Failed record" : "")}");
                return;
            }

            if (DryRun)
            {
                await ReplayedAsync(id, $"would enqueue event {envelope.Id} ({envelope.Type}, merchant {envelope.MerchantId}); key {stored.KeyId} is current");
                return;
            }

            try
            {
                await ops.QueueAsync(ops.Queue, async c =>
                {
                    await publisher.PublishAsync(new EventMessage(stored.Body, new EventMetadata(envelope.Id, envelope.Type, envelope.MerchantId,
                        envelope.ResourceType, envelope.ResourceId, envelope.ApiVersion, stored.KeyId!, DateTimeOffset.UtcNow, null, envelope.Created)), c);
                    return true;
                });
            }
            catch (EventRefusedException ex)
            {
                await NotReplayedAsync(id, $"still refused: {ex.Message}");
                return;
            }

            await ops.MarkReplayedAsync(entry, envelope.Id);
            await ReplayedAsync(id, $"re-verified (signature valid under current key {stored.KeyId}, apiVersion {envelope.ApiVersion}) and enqueued as event {envelope.Id} ({envelope.Type})");
        }

        /// <summary>Replays the poison messages <paramref name="select"/> picks; returns the event and message ids it found.</summary>
        public async Task<HashSet<string>> PoisonAsync(Func<PoisonMessage, bool> select)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            if (DryRun)
            {
                var (messages, total) = await ops.PeekPoisonAsync();
                foreach (var m in messages.Where(select))
                {
                    found.Add(m.EventId);
                    found.Add(m.MessageId);
                    await ReplayedAsync(m.EventId, $"would move poison message {m.MessageId} back to {m.Source.Target.Name}");
                }

                if (total > messages.Count)
                {
                    await Out.WriteLineAsync($"(a dry run peeks at the first {messages.Count} of about {total} poison messages only)");
                }

                return found;
            }

            await ops.ScanPoisonAsync(
                select,
                async m =>
                {
                    // Enqueue first: a crash in between leaves a duplicate, which the claim absorbs, never a lost event.
                    await ops.SendAsync(m.Source.Target, m.Body, m.Trace?.Context);
                    return await ops.DeletePoisonAsync(m);
                },
                async (m, deleted) =>
                {
                    found.Add(m.EventId);
                    found.Add(m.MessageId);
                    await ReplayedAsync(m.EventId, $"poison message {m.MessageId} moved back to {m.Source.Target.Name}{(deleted ? "" : " (it had already left the poison queue)")}");
                },
                visibility);
            return found;
        }

        public async Task NotReplayedAsync(string id, string why)
        {
            NotReplayed++;
            await Out.WriteLineAsync($"{id}: {why}");
        }

        private async Task ReplayedAsync(string id, string what)
        {
            Replayed++;
            await Out.WriteLineAsync($"{id}: {what}");
        }

        private async Task NothingAsync(string id, string why)
        {
            NothingToDo++;
            await Out.WriteLineAsync($"{id}: {why}");
        }
    }
}
