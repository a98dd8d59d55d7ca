namespace ConnectEvents.Platform3;

/// <summary>One row of the classification table: a code prefix of one to three groups and its category.</summary>
/// <param name="Pattern">One, two or three groups of three digits, e.g. <c>800</c>, <c>800.100</c> or <c>800.100.153</c>.</param>
/// <param name="Category">The category every code under the pattern has, unless a longer pattern says otherwise.</param>
public sealed record ResultCodeRule(string Pattern, ResultCategory Category);
