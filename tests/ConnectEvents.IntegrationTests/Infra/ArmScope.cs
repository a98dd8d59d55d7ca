namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>Where a template deploys: a subscription, or a resource group in it. Builds resource ids the way ARM does.</summary>
/// <param name="SubscriptionId">The subscription id.</param>
/// <param name="ResourceGroup">The resource group's name, or null at subscription scope.</param>
public sealed record ArmScope(string SubscriptionId, string? ResourceGroup)
{
    /// <summary>The scope's own id: <c>/subscriptions/{id}</c> or <c>/subscriptions/{id}/resourceGroups/{name}</c>.</summary>
    public string Id => ResourceGroup is null ? SubscriptionRoot : $"{SubscriptionRoot}/resourceGroups/{ResourceGroup}";

    private string SubscriptionRoot => $"/subscriptions/{SubscriptionId}";

    /// <summary>The id of a resource of <paramref name="type"/> named <paramref name="names"/> (one name per type segment) in this scope.</summary>
    public string ResourceId(string type, IReadOnlyList<string> names) => Join(Id, type, names);

    /// <summary>The id of a subscription-level resource (<c>subscriptionResourceId</c>), such as a role definition.</summary>
    public string SubscriptionResourceId(string type, IReadOnlyList<string> names) => Join(SubscriptionRoot, type, names);

    /// <summary>Whether <paramref name="scope"/> is <paramref name="resourceId"/> itself or one of its ancestors.</summary>
    public static bool Contains(string scope, string resourceId) =>
        string.Equals(scope, resourceId, StringComparison.OrdinalIgnoreCase)
        || resourceId.StartsWith(scope.TrimEnd('/') + "/", StringComparison.OrdinalIgnoreCase);

    private static string Join(string root, string type, IReadOnlyList<string> names)
    {
        var segments = type.Split('/');
        if (segments.Length < 2 || segments.Length - 1 != names.Count)
        {
            throw new ArmEvaluationException($"A resource of type '{type}' needs {segments.Length - 1} name segments, not '{string.Join('/', names)}'.");
        }

        var id = new System.Text.StringBuilder(root).Append("/providers/").Append(segments[0]);
        for (var i = 1; i < segments.Length; i++)
        {
            id.Append('/').Append(segments[i]).Append('/').Append(names[i - 1]);
        }

        return id.ToString();
    }
}
