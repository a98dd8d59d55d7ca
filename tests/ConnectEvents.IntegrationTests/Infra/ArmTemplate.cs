using System.Text.Json;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// One template as deployed with concrete parameter values in one scope (the main template, or a module's nested
/// template with the values its parent passes). Evaluates the template's JSON values and expressions on demand:
/// parameters, variables and object properties are computed when read, so a value only the deployment knows (a
/// resource's runtime state) stops the check only where a decision needs it.
/// </summary>
public sealed class ArmTemplate
{
    private readonly JsonElement _template;
    private readonly IReadOnlyDictionary<string, Func<object?>> _supplied;
    private readonly Dictionary<string, object?> _parameters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, object?> _variables = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _evaluating = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ArmTemplate> _modules = new(StringComparer.Ordinal);

    /// <summary>Binds <paramref name="template"/> to the parameter values a deployment passes, in <paramref name="scope"/>.</summary>
    /// <exception cref="ArmEvaluationException">A value is passed for a parameter the template does not declare.</exception>
    public ArmTemplate(JsonElement template, IReadOnlyDictionary<string, Func<object?>> parameters, ArmScope scope)
    {
        _template = template;
        _supplied = parameters;
        Scope = scope;
        var declared = Section("parameters");
        foreach (var name in parameters.Keys)
        {
            if (declared is not { } d || !d.TryGetProperty(name, out _))
            {
                throw new ArmEvaluationException($"A value is passed for '{name}', which the template does not declare as a parameter.");
            }
        }

        var resources = new List<TemplateResource>();
        if (_template.TryGetProperty("resources", out var list))
        {
            // languageVersion 2.0 keys resources by symbolic name; 1.0 lists them.
            resources.AddRange(list.ValueKind == JsonValueKind.Object
                ? list.EnumerateObject().Select((p, i) => new TemplateResource(p.Name, i, p.Value))
                : list.EnumerateArray().Select((r, i) => new TemplateResource(null, i, r)));
        }

        Resources = resources;
    }

    /// <summary>Where the template deploys.</summary>
    public ArmScope Scope { get; }

    /// <summary>The template's resources (not yet expanded by copy loops or filtered by conditions).</summary>
    public IReadOnlyList<TemplateResource> Resources { get; }

    /// <summary>A parameter's value: the one passed, else its default, else null when it is nullable.</summary>
    /// <exception cref="ArmEvaluationException">The template has no such parameter, or it has no value.</exception>
    public object? Parameter(string name) => Cached(_parameters, "parameter", name, () =>
    {
        if (Section("parameters") is not { } declared || !declared.TryGetProperty(name, out var parameter))
        {
            throw new ArmEvaluationException($"The template has no parameter '{name}'.");
        }

        if (_supplied.TryGetValue(name, out var value))
        {
            return value();
        }

        if (parameter.TryGetProperty("defaultValue", out var defaultValue))
        {
            return Evaluate(defaultValue, ArmFrame.Root);
        }

        return parameter.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True
            ? null
            : throw new ArmEvaluationException($"The parameter '{name}' has no value and no default.");
    });

    /// <summary>A variable's value.</summary>
    /// <exception cref="ArmEvaluationException">The template has no such variable, or makes it with a copy loop.</exception>
    public object? Variable(string name) => Cached(_variables, "variable", name, () =>
    {
        var variables = Section("variables");
        if (variables is { } v && v.TryGetProperty(name, out var value))
        {
            return Evaluate(value, ArmFrame.Root);
        }

        throw variables is { } w && w.TryGetProperty("copy", out _)
            ? new ArmEvaluationException($"The variable '{name}' is not a plain variable; variable copy loops are not evaluated by the checker.")
            : new ArmEvaluationException($"The template has no variable '{name}'.");
    });

    /// <summary>An output's value.</summary>
    /// <exception cref="ArmEvaluationException">The template has no such output, or makes it with a copy loop.</exception>
    public object? Output(string name)
    {
        if (Section("outputs") is not { } outputs || !outputs.TryGetProperty(name, out var output))
        {
            throw new ArmEvaluationException($"The template has no output '{name}'.");
        }

        return output.TryGetProperty("value", out var value)
            ? Evaluate(value, ArmFrame.Root)
            : throw new ArmEvaluationException($"The output '{name}' has no plain value; output copy loops are not evaluated by the checker.");
    }

    /// <summary>The template's output names.</summary>
    public IEnumerable<string> OutputNames => Section("outputs") is { } outputs ? outputs.EnumerateObject().Select(o => o.Name) : [];

    /// <summary>
    /// The value a template JSON value stands for: strings that are expressions are evaluated, objects become
    /// <see cref="ArmObject"/>s whose properties are evaluated when read, arrays are evaluated element by element.
    /// </summary>
    /// <exception cref="ArmEvaluationException">The value holds something the checker does not evaluate.</exception>
    public object? Evaluate(JsonElement value, ArmFrame frame)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return Evaluate(value.GetString()!, frame);
            case JsonValueKind.Number:
                return value.TryGetInt64(out var number) ? number : throw new ArmEvaluationException($"The number {value} is not an integer.");
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Array:
                return value.EnumerateArray().Select(e => Evaluate(e, frame)).ToList();
            default:
                var result = new ArmObject();
                foreach (var property in value.EnumerateObject())
                {
                    if (property.NameEquals("copy"))
                    {
                        throw new ArmEvaluationException("A property copy loop ('copy' inside a value) is not evaluated by the checker.");
                    }

                    var element = property.Value;
                    result.Add(Evaluate(property.Name, frame) as string ?? throw new ArmEvaluationException($"The property name {property.Name} is not a string."), () => Evaluate(element, frame));
                }

                return result;
        }
    }

    /// <summary>The value of a template string: the expression's result when it is one, else the literal text.</summary>
    /// <exception cref="ArmEvaluationException">The expression holds something the checker does not evaluate.</exception>
    public object? Evaluate(string text, ArmFrame frame)
    {
        if (!ArmExpression.IsExpression(text))
        {
            return ArmExpression.Unescape(text);
        }

        try
        {
            return Evaluate(ArmExpression.Parse(text), frame);
        }
        catch (ArmEvaluationException e)
        {
            // The innermost expression says what failed; the ones around it say how the check got there.
            throw new ArmEvaluationException(
                e.Message.Contains(" in the expression ", StringComparison.Ordinal) ? $"{e.Message}\n  reached from {text}" : $"{e.Message} in the expression {text}",
                e);
        }
    }

    /// <summary>The value of a parsed expression.</summary>
    /// <exception cref="ArmEvaluationException">The expression calls a function the checker does not know, or misuses one.</exception>
    public object? Evaluate(ArmExpression expression, ArmFrame frame) => expression switch
    {
        ArmExpression.Literal literal => literal.Value,
        ArmExpression.FunctionCall call => ArmFunctions.Invoke(call, this, frame),
        ArmExpression.Member member => ArmFunctions.Property(Evaluate(member.Target, frame), member.Name),
        ArmExpression.Index index => ArmFunctions.Element(Evaluate(index.Target, frame), Evaluate(index.Key, frame)),
        _ => throw new ArmEvaluationException($"Unknown expression node {expression}."),
    };

    /// <summary>The resource declared under <paramref name="symbolicName"/> (languageVersion 2.0 templates only).</summary>
    public TemplateResource? Symbolic(string symbolicName) =>
        Resources.FirstOrDefault(r => string.Equals(r.SymbolicName, symbolicName, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The nested template a deployment resource (a Bicep module) runs, bound to the parameter values it passes and in
    /// the resource group it names. The same module iteration gives the same instance.
    /// </summary>
    /// <exception cref="ArmEvaluationException">The deployment is not an inline template with inner-scope evaluation, as Bicep writes them.</exception>
    public ArmTemplate Module(TemplateResource resource, ArmFrame frame)
    {
        var key = $"{resource.Position}#{frame.CopyIndex}";
        if (_modules.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var json = resource.Json;
        var properties = json.GetProperty("properties");
        if (!properties.TryGetProperty("template", out var template))
        {
            throw new ArmEvaluationException("A deployment without an inline template (templateLink) is not evaluated by the checker.");
        }

        if (!properties.TryGetProperty("expressionEvaluationOptions", out var options)
            || !string.Equals(options.GetProperty("scope").GetString(), "inner", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArmEvaluationException("A nested deployment evaluated in its parent's scope (not 'inner') is not evaluated by the checker.");
        }

        if (json.TryGetProperty("scope", out _))
        {
            throw new ArmEvaluationException("A deployment at a management group or tenant scope is not evaluated by the checker.");
        }

        var subscription = json.TryGetProperty("subscriptionId", out var s) ? Text(Evaluate(s, frame), "subscriptionId") : Scope.SubscriptionId;
        var group = json.TryGetProperty("resourceGroup", out var g)
            ? Text(Evaluate(g, frame), "resourceGroup")
            : json.TryGetProperty("subscriptionId", out _) ? null : Scope.ResourceGroup;

        var parameters = new Dictionary<string, Func<object?>>(StringComparer.OrdinalIgnoreCase);
        if (properties.TryGetProperty("parameters", out var passed))
        {
            foreach (var parameter in passed.EnumerateObject())
            {
                var name = parameter.Name;
                var value = parameter.Value;
                parameters[name] = value.TryGetProperty("value", out var v)
                    ? () => Evaluate(v, frame)
                    : () => throw new ArmEvaluationException($"The module parameter '{name}' is not a plain value (a Key Vault reference?); the checker does not evaluate it.");
            }
        }

        var module = new ArmTemplate(template, parameters, new ArmScope(subscription, group));
        _modules[key] = module;
        return module;
    }

    /// <summary>The id of a resource of this template that is not an extension resource.</summary>
    /// <exception cref="ArmEvaluationException">Its type or name is not a string.</exception>
    public string ResourceId(TemplateResource resource, ArmFrame frame)
    {
        var type = Text(Evaluate(resource.Json.GetProperty("type"), frame), "type");
        var name = Text(Evaluate(resource.Json.GetProperty("name"), frame), "name");
        return Scope.ResourceId(type, name.Split('/'));
    }

    /// <summary><paramref name="value"/> as a string.</summary>
    /// <exception cref="ArmEvaluationException">It is not one.</exception>
    public static string Text(object? value, string what) =>
        value as string ?? throw new ArmEvaluationException($"The {what} is {ArmFunctions.Describe(value)}, not a string.");

    /// <summary>A parameter value as a deployment parameters file gives it: literal JSON, no expressions.</summary>
    public static object? Literal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var number) ? number : throw new ArmEvaluationException($"The number {value} is not an integer."),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Array => value.EnumerateArray().Select(Literal).ToList(),
        _ => ArmFunctions.ObjectOf(value.EnumerateObject().Select(p => (p.Name, Literal(p.Value)))),
    };

    private JsonElement? Section(string name) => _template.TryGetProperty(name, out var section) ? section : null;

    private object? Cached(Dictionary<string, object?> cache, string kind, string name, Func<object?> compute)
    {
        if (cache.TryGetValue(name, out var value))
        {
            return value;
        }

        if (!_evaluating.Add(kind + ":" + name))
        {
            throw new ArmEvaluationException($"The {kind} '{name}' depends on itself.");
        }

        try
        {
            value = compute();
        }
        finally
        {
            _evaluating.Remove(kind + ":" + name);
        }

        cache[name] = value;
        return value;
    }
}
