using System.Collections;

namespace ConnectEvents.Cli;

/// <summary>What one run of the CLI reads and writes: its two output streams, its environment variables and its working directory.</summary>
/// <param name="Out">Where results go.</param>
/// <param name="Error">Where errors and usage after a mistake go.</param>
/// <param name="Variables">The environment variables (settings such as <c>AzureWebJobsStorage</c>).</param>
/// <param name="WorkingDirectory">Where <c>local.settings.json</c> is looked for.</param>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error, IReadOnlyDictionary<string, string?> Variables, string WorkingDirectory)
{
    /// <summary>The process's console, environment and current directory.</summary>
    public static CliEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }

        return new CliEnvironment(Console.Out, Console.Error, variables, Directory.GetCurrentDirectory());
    }
}
