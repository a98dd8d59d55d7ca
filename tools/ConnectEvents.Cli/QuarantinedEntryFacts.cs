namespace ConnectEvents.Cli;

/// <summary>What a quarantine entry's document says about itself.</summary>
internal sealed record QuarantinedEntryFacts(string Reason, string? KeyId);
