namespace ConnectEvents.Cli;

/// <summary><c>connect-events list</c>: the events that need an operator: Failed records, quarantined events, poison messages.</summary>
internal static class ListCommand
{
    public const string Usage = """
        usage: connect-events list --failed|--quarantined|--poison [--since 24h|2026-11-25T08:00Z]
                                   [--storage CONN|ACCOUNT] [--settings FILE]
        --failed       records that failed permanently (Connect refused the action); replayable once the cause is fixed
        --quarantined  signed events the webhook could not use (not JSON, unsupported apiVersion, too large)
        --poison       messages in the poison queues (Connect's and the v3 platform's), joined to their records (a poisoned record may still say Processing)
        --since        only what was written, received or poisoned since then (a duration back from now, or a time)
        """;

    private static readonly string[] Kinds = ["--failed", "--quarantined", "--poison"];

    public static async Task<int> RunAsync(string[] argv, CliEnvironment env, CancellationToken ct)
    {
        var args = CliArgs.Parse(argv, Kinds, ["--since"]);
        var kind = args.OneOf(Kinds)!;
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument {args.Positionals[0]}");
        }

        var since = args.Since(DateTimeOffset.UtcNow);
        await using var ops = Operations.Open(args, env, ct);
        var count = 0;
        switch (kind)
        {
            case "--failed":
                foreach (var r in await ops.TableAsync(c => ops.Store.FailedAsync(since, c)))
                {
                    await env.Out.WriteLineAsync(RecordView.Line(r));
                    count++;
                }

                break;
            case "--quarantined":
                foreach (var q in await ops.ListQuarantineAsync(since))
                {
                    var entry = await ops.BlobAsync(c => ops.Quarantine.ReadAsync(q.BlobName, c));
                    await env.Out.WriteLineAsync(RecordView.Line(q, entry is null ? null : new QuarantinedEntryFacts(entry.Reason, entry.KeyId)));
                    count++;
                }

                break;
            default:
                var (messages, total) = await ops.PeekPoisonAsync();
                foreach (var m in messages.Where(m => since is null || m.InsertedOn >= since))
                {
                    var record = await ops.TableAsync(c => ops.Store.GetAsync(m.EventId, c));
                    await env.Out.WriteLineAsync(RecordView.Line(m, record));
                    count++;
                }

                if (total > messages.Count)
                {
                    await env.Out.WriteLineAsync($"(the first {messages.Count} of about {total} poison messages; replay --poison goes through all of them)");
                }

                break;
        }

        await env.Error.WriteLineAsync($"{count} {kind[2..]}");
        return CliApp.ExitOk;
    }
}
