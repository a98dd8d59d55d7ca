using System.Collections.Immutable;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// What an expression is evaluated within besides its template: the resource copy loop's current iteration
/// (<c>copyIndex()</c>) and the variables of the lambdas around it (<c>lambdaVariables('x')</c>).
/// </summary>
/// <param name="CopyName">The copy loop's name, or null outside a loop.</param>
/// <param name="CopyIndex">The loop's current index.</param>
/// <param name="LambdaVariables">The lambda variables in scope, by name.</param>
public sealed record ArmFrame(string? CopyName, long CopyIndex, ImmutableDictionary<string, object?> LambdaVariables)
{
    /// <summary>Outside any loop or lambda.</summary>
    public static ArmFrame Root { get; } = new(null, 0, ImmutableDictionary<string, object?>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase));

    /// <summary>This frame in iteration <paramref name="index"/> of the copy loop <paramref name="name"/>.</summary>
    public ArmFrame InCopy(string name, long index) => this with { CopyName = name, CopyIndex = index };

    /// <summary>This frame with a lambda's variable bound.</summary>
    public ArmFrame WithLambdaVariable(string name, object? value) => this with { LambdaVariables = LambdaVariables.SetItem(name, value) };
}
