namespace ConnectEvents.Cli;

/// <summary>The operation could not be done (storage unreachable, a setting missing…): the CLI prints the message, no stack trace, and exits 1.</summary>
public sealed class CliFailureException(string message) : Exception(message);
