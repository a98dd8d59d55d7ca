namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// An object value of a template, whose property values are evaluated only when read: a module's outputs or a
/// resource's properties may hold values known only at deployment, which matter only if something reads them.
/// Property names are case-insensitive, as in ARM.
/// </summary>
public sealed class ArmObject
{
    private readonly Dictionary<string, Lazy<object?>> _properties = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _names = [];

    /// <summary>The property names, in template order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Adds a property whose value is computed on first read.</summary>
    /// <exception cref="ArmEvaluationException">The object already has the property.</exception>
    public void Add(string name, Func<object?> value)
    {
        if (!_properties.TryAdd(name, new Lazy<object?>(value)))
        {
            throw new ArmEvaluationException($"The object has the property '{name}' twice.");
        }

        _names.Add(name);
    }

    /// <summary>Whether the object has the property.</summary>
    public bool Has(string name) => _properties.ContainsKey(name);

    /// <summary>The property's value.</summary>
    /// <exception cref="ArmEvaluationException">The object has no such property.</exception>
    public object? Get(string name) =>
        _properties.TryGetValue(name, out var value)
            ? value.Value
            : throw new ArmEvaluationException($"The object has no property '{name}' (it has {string.Join(", ", _names)}).");

    /// <summary>The property's value, or null when the object has no such property.</summary>
    public object? Find(string name) => _properties.TryGetValue(name, out var value) ? value.Value : null;
}
