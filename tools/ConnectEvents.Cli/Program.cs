using ConnectEvents.Cli;

// connect-events: one operations command with subcommands (send, status, list, replay); see CliApp.Usage.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await CliApp.RunAsync(args, CliEnvironment.FromProcess(), cancel.Token);
