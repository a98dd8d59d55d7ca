namespace ConnectEvents.Cli;

/// <summary>
/// The <c>connect-events</c> command: dispatches to its subcommands and turns every outcome into an exit code
/// (0 ok, 1 failure, 2 usage) and one clear line, never a stack trace.
/// </summary>
public static class CliApp
{
    /// <summary>Everything went as asked.</summary>
    public const int ExitOk = 0;

    /// <summary>The operation failed, or some selected item could not be handled.</summary>
    public const int ExitFailure = 1;

    /// <summary>The command line was wrong.</summary>
    public const int ExitUsage = 2;

    /// <summary>The top-level usage.</summary>
    public const string Usage = """
        usage: connect-events <command> [options]

        commands:
          send     sign a sample Connect event (or a file's bytes) and POST it to a webhook URL
          send-v3  mint a v3 platform notification URL for a payment and POST a notification to it
          status   what happened to an event (status <event-id>) or a payment (status --payment <id>)
          list     events that need an operator: list --failed | --quarantined | --poison [--since 24h]
          replay   replay quarantined events, Failed records and poison messages, by id or filter [--dry-run]
          reindex  write the index rows of records written before the index (once, after upgrading; safe to repeat)

        Storage is found as the function app finds it: AzureWebJobsStorage (a connection string, e.g. Azurite's) or
        AzureWebJobsStorage__accountName / __queueServiceUri / __tableServiceUri / __blobServiceUri (Entra sign-in with
        DefaultAzureCredential), from the environment, local.settings.json's Values (or --settings FILE), or --storage
        (a connection string or an account name). Names: Events__QueueName, Processing__Store__TableName,
        Webhooks__QuarantineContainer; quarantine replay also reads the webhook secret keys (Webhooks__SecretKeys__<n>__*).

        connect-events <command> --help shows a command's options. Exit codes: 0 ok, 1 failure, 2 usage.
        """;

    private static readonly Dictionary<string, (string Usage, Func<string[], CliEnvironment, CancellationToken, Task<int>> Run)> Commands =
        new(StringComparer.Ordinal)
        {
            ["send"] = (SendCommand.Usage, SendCommand.RunAsync),
            ["send-v3"] = (SendV3Command.Usage, SendV3Command.RunAsync),
            ["status"] = (StatusCommand.Usage, StatusCommand.RunAsync),
            ["list"] = (ListCommand.Usage, ListCommand.RunAsync),
            ["replay"] = (ReplayCommand.Usage, ReplayCommand.RunAsync),
            ["reindex"] = (ReindexCommand.Usage, ReindexCommand.RunAsync),
        };

    /// <summary>Runs the command line <paramref name="args"/> against <paramref name="env"/> and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(env);
        if (args.Length == 0 || IsHelp(args[0]))
        {
            await (args.Length == 0 ? env.Error : env.Out).WriteLineAsync(Usage);
            return args.Length == 0 ? ExitUsage : ExitOk;
        }

        if (!Commands.TryGetValue(args[0], out var command))
        {
            await env.Error.WriteLineAsync($"connect-events: unknown command '{args[0]}'\n\n{Usage}");
            return ExitUsage;
        }

        var rest = args[1..];
        if (rest.Any(IsHelp))
        {
            await env.Out.WriteLineAsync(command.Usage);
            return ExitOk;
        }

        try
        {
            RequireNoControlCharacters(rest);
            return await command.Run(rest, env, cancellationToken);
        }
        catch (UsageException ex)
        {
            await env.Error.WriteLineAsync($"connect-events {args[0]}: {ex.Message}\n\n{command.Usage}");
            return ExitUsage;
        }
        catch (CliFailureException ex)
        {
            await env.Error.WriteLineAsync($"connect-events {args[0]}: {ex.Message}");
            return ExitFailure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await env.Error.WriteLineAsync($"connect-events {args[0]}: cancelled");
            return ExitFailure;
        }
#pragma warning disable CA1031 // the CLI's last line of defence: one line, never a stack trace (the type names the bug)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await env.Error.WriteLineAsync($"connect-events {args[0]}: unexpected {ex.GetType().Name}: {ex.Message.Split('\n', 2)[0]}");
            return ExitFailure;
        }
    }

    private static bool IsHelp(string arg) => arg is "--help" or "-h" or "help";

    /// <summary>
    /// Refuses any argument with a control character (CR, LF, NUL, ...), naming its option and never quoting it (it may be
    /// --secret): option values go into request headers, storage queries and printed lines, where a line break would start
    /// a header or a line of its own (<c>--key-id 'k\r\nX-Injected: yes'</c>).
    /// </summary>
    /// <exception cref="UsageException">An argument holds a control character.</exception>
    private static void RequireNoControlCharacters(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.Any(char.IsControl))
            {
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? arg[..eq]
                : i > 0 && args[i - 1].StartsWith("--", StringComparison.Ordinal) ? args[i - 1]
                : $"argument {i + 1}";
            name = name.Any(char.IsControl) ? $"argument {i + 1}" : name;
            throw new UsageException($"{name} must not contain control characters (CR, LF, NUL, ...): its value would end a header or a line");
        }
    }
}
