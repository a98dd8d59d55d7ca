using System.Diagnostics;

namespace ConnectEvents.Cli;

/// <summary><c>connect-events reindex</c>: writes the index rows of the records written before the store kept an index.</summary>
internal static class ReindexCommand
{
    public const string Usage = """
        usage: connect-events reindex [--storage CONN|ACCOUNT] [--settings FILE]
        Reads every processed-event record once and writes its index rows (the day it failed, for a Failed record; its
        payment, for a record with a payment id), which list --failed, replay --failed and status --payment read instead
        of the whole table. Records written since the index exists have their rows already; run it once after upgrading
        (the app may keep running). Running it again writes the same rows and changes nothing.
        """;

    public static async Task<int> RunAsync(string[] argv, CliEnvironment env, CancellationToken ct)
    {
        var args = CliArgs.Parse(argv, [], []);
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument {args.Positionals[0]}");
        }

        await using var ops = Operations.Open(args, env, ct);
        var watch = Stopwatch.StartNew();
        var report = await ops.TableAsync(c => ops.Store.ReindexAsync(c));
        await env.Out.WriteLineAsync($"{report.Records} records read in {watch.Elapsed.TotalSeconds:F1} s: {report.FailedRows} failed-index rows and {report.PaymentRows} payment-index rows written to table {ops.Settings.TableName}");
        return CliApp.ExitOk;
    }
}
