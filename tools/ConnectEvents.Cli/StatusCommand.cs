namespace ConnectEvents.Cli;

/// <summary><c>connect-events status</c>: what happened to one event, or to every event of one payment.</summary>
internal static class StatusCommand
{
    public const string Usage = """
        usage: connect-events status <event-id> [--storage CONN|ACCOUNT] [--settings FILE]
               connect-events status --payment <payment-id> [--storage CONN|ACCOUNT] [--settings FILE]
        Shows the processed-event record: state (poisoned when the event sits in the poison queue), outcome,
        attempts and last delivery, timestamps, Connect's ids (capture, token) and error ids, and whether the
        event's bytes are stored for replay. With --payment: every record of that payment.
        """;

    public static async Task<int> RunAsync(string[] argv, CliEnvironment env, CancellationToken ct)
    {
        var args = CliArgs.Parse(argv, [], ["--payment"]);
        var payment = args.Option("--payment");
        if (payment is null ? args.Positionals.Count != 1 : args.Positionals.Count != 0)
        {
            throw new UsageException("give one event id, or --payment <payment-id>");
        }

        await using var ops = Operations.Open(args, env, ct);
        var (poison, _) = await ops.PeekPoisonAsync();
        var poisonByEvent = poison.GroupBy(m => m.EventId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        if (payment is null)
        {
            var eventId = args.Positionals[0];
            var record = await ops.TableAsync(c => ops.Store.GetAsync(eventId, c));
            if (record is null)
            {
                var message = poisonByEvent.GetValueOrDefault(eventId);
                await env.Error.WriteLineAsync(message is null
                    ? $"no record of event {eventId} in table {ops.Settings.TableName} (Processing__Store__TableName)"
                    : $"event {eventId} has no record but is in the poison queue: {RecordView.Line(message, null)}");
                return message is null ? CliApp.ExitFailure : CliApp.ExitOk;
            }

            await env.Out.WriteAsync(RecordView.Block(record, poisonByEvent.GetValueOrDefault(eventId)));
            return CliApp.ExitOk;
        }

        var records = await ops.TableAsync(c => ops.Store.PaymentAsync(payment, c));
        if (records.Count == 0)
        {
            await env.Error.WriteLineAsync($"no record of payment {payment} in table {ops.Settings.TableName} (Processing__Store__TableName)");
            return CliApp.ExitFailure;
        }

        for (var i = 0; i < records.Count; i++)
        {
            await env.Out.WriteAsync((i > 0 ? "\n" : "") + RecordView.Block(records[i], poisonByEvent.GetValueOrDefault(records[i].EventId)));
        }

        return CliApp.ExitOk;
    }
}
