namespace ConnectEvents.Cli;

/// <summary>The command line was wrong: the CLI prints the message and the command's usage, and exits 2.</summary>
public sealed class UsageException(string message) : Exception(message);
