using Microsoft.Extensions.Logging;

namespace ConnectEvents.Functions.Hosting;

/// <summary>
/// Holds a log category (and every category under it) at or above a level whatever the settings say, for categories whose
/// lower levels print request lines or URLs with their query, where function keys travel.
/// </summary>
internal static class LogLevelFloor
{
    /// <summary>
    /// Rewrites <paramref name="options"/> so that no rule lets <paramref name="category"/> or a category under it log below
    /// <paramref name="floor"/>. Run as a post-configuration, after every setting and code rule, and again on each reload.
    /// </summary>
    /// <remarks>
    /// A single rule for the category is not enough: the logger picks a provider's own rules before the general ones, and
    /// among those the longest matching category, so <c>Logging:Console:LogLevel:Microsoft=Debug</c> or a rule for a
    /// sub-category (or a longer wildcard) would win over it. So every rule that can reach the category is raised to the
    /// floor, and each provider named by any rule (and the general rules) gets one for the category itself.
    /// </remarks>
    public static void Apply(LoggerFilterOptions options, string category, LogLevel floor)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rules = options.Rules;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule.CategoryName is { } name && Reaches(name, category) && (rule.LogLevel ?? LogLevel.Trace) < floor)
            {
                rules[i] = new LoggerFilterRule(rule.ProviderName, name, floor, rule.Filter);
            }
        }

        foreach (var provider in rules.Select(r => r.ProviderName).Append(null).Distinct(StringComparer.Ordinal).ToList())
        {
            if (!rules.Any(r => string.Equals(r.ProviderName, provider, StringComparison.Ordinal) && string.Equals(r.CategoryName, category, StringComparison.Ordinal)))
            {
                rules.Add(new LoggerFilterRule(provider, category, floor, null));
            }
        }
    }

    // True when a rule for `name` can be the best match for `category` or a category under it: it is one of those, or a
    // wildcard at least as long whose prefix is compatible (shorter plain prefixes lose to the rule added for the category).
    private static bool Reaches(string name, string category)
    {
        var star = name.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return name.Equals(category, StringComparison.OrdinalIgnoreCase) || name.StartsWith(category + ".", StringComparison.OrdinalIgnoreCase);
        }

        var prefix = name[..star];
        return name.Length - 1 >= category.Length
            && (prefix.StartsWith(category, StringComparison.OrdinalIgnoreCase) || category.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
    }
}
