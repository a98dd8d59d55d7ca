namespace ConnectEvents.Platform3;

/// <summary>One configured result-code rule.</summary>
public sealed class ResultCodeRuleOptions
{
    /// <summary>One, two or three groups of three digits, e.g. <c>800</c>, <c>800.100</c> or <c>800.100.153</c>.</summary>
    public string? Pattern { get; set; }

    /// <summary>A <see cref="ResultCategory"/> name, e.g. <c>DeclinedByRisk</c>.</summary>
    public string? Category { get; set; }
}
