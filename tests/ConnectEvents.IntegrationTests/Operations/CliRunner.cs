using ConnectEvents.Cli;
using ConnectEvents.IntegrationTests.Processing;
using ConnectEvents.IntegrationTests.Webhooks;

namespace ConnectEvents.IntegrationTests.Operations;

/// <summary>What one CLI run printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Both streams, for assertions and failure messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- out\n{Out}--- err\n{Error}";
}

/// <summary>Runs <c>connect-events</c> in-process through its entry point, with the given settings as its environment and an empty working directory.</summary>
public sealed class CliRunner(IReadOnlyDictionary<string, string?> settings, string? localSettingsJson = null)
{
    /// <summary>A runner with the settings of a pipeline's app: the same storage, queue, table, quarantine container and webhook key.</summary>
    public static CliRunner For(Pipeline p, string storage) => new(new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = storage,
        ["Events__QueueName"] = p.App.QueueName,
        ["Processing__Store__TableName"] = p.EventsTable,
        ["Webhooks__QuarantineContainer"] = p.App.QuarantineContainer,
        ["Webhooks__SecretKeys__0__KeyId"] = WebhookApp.KeyId,
        ["Webhooks__SecretKeys__0__Secret"] = WebhookApp.Secret,
    });

    /// <summary>Runs the command line.</summary>
    public async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var directory = Directory.CreateTempSubdirectory("connect-events-cli-");
        try
        {
            if (localSettingsJson is not null)
            {
                await File.WriteAllTextAsync(Path.Combine(directory.FullName, "local.settings.json"), localSettingsJson);
            }

            var code = await CliApp.RunAsync(args, new CliEnvironment(output, error, settings, directory.FullName), CancellationToken.None);
            return new CliRun(code, output.ToString(), error.ToString());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
