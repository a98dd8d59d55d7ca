namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// A runtime property of a resource (what <c>reference(...)</c> returns, such as an identity's <c>principalId</c>), which
/// only the deployment knows. The checker can carry it and compare it with another, but any decision that needs its
/// value fails loudly.
/// </summary>
/// <param name="ResourceId">The resource whose state it is.</param>
/// <param name="Path">The property path read from the resource's state, such as <c>principalId</c> (empty for the whole state).</param>
public sealed record DeploymentTimeValue(string ResourceId, string Path)
{
    /// <summary>This value's property <paramref name="name"/>.</summary>
    public DeploymentTimeValue Property(string name) => this with { Path = Path.Length == 0 ? name : Path + "." + name };

    /// <summary>Whether both name the same property of the same resource (resource ids compare case-insensitively, as in ARM).</summary>
    public bool Equals(DeploymentTimeValue? other) =>
        other is not null && string.Equals(ResourceId, other.ResourceId, StringComparison.OrdinalIgnoreCase) && string.Equals(Path, other.Path, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(ResourceId), Path);

    /// <inheritdoc />
    public override string ToString() => $"reference('{ResourceId}').{Path}";
}
