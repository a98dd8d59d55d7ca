namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>One resource a deployment creates (or names as existing): one iteration of its copy loop, its condition true.</summary>
public sealed class DeployedResource
{
    private readonly Lazy<string> _name;

    /// <summary>Binds a template resource in one iteration to its template.</summary>
    public DeployedResource(ArmTemplate template, TemplateResource resource, ArmFrame frame, string type)
    {
        Template = template;
        Resource = resource;
        Frame = frame;
        Type = type;
        // Read when asked: role assignment names are guid()s, which no check needs.
        _name = new(() => ArmTemplate.Text(template.Evaluate(resource.Json.GetProperty("name"), frame), "name of a " + type));
        Existing = resource.Declared("existing") is { ValueKind: System.Text.Json.JsonValueKind.True };
    }

    /// <summary>The template declaring it.</summary>
    public ArmTemplate Template { get; }

    /// <summary>Its declaration.</summary>
    public TemplateResource Resource { get; }

    /// <summary>Its copy loop iteration.</summary>
    public ArmFrame Frame { get; }

    /// <summary>Its resource type, such as <c>Microsoft.Storage/storageAccounts/queueServices/queues</c>.</summary>
    public string Type { get; }

    /// <summary>Its full name (<c>account/default/queue</c> for a queue).</summary>
    public string Name => _name.Value;

    /// <summary>Whether the template only refers to it (<c>existing</c>) rather than creating it.</summary>
    public bool Existing { get; }

    /// <summary>Its id, for a resource that is not an extension resource.</summary>
    public string Id => Template.Scope.ResourceId(Type, Name.Split('/'));

    /// <summary>
    /// The scope of an extension resource such as a role assignment, as a resource id: its <c>scope</c> property, made
    /// absolute when Bicep wrote it relative to the deployment, or the deployment's own scope when it has none.
    /// </summary>
    public string ExtensionScope => Resource.Declared("scope") is { } scope
        ? ArmTemplate.Text(Template.Evaluate(scope, Frame), "scope") is var text && text.StartsWith('/') ? text : $"{Template.Scope.Id}/providers/{text}"
        : Template.Scope.Id;

    /// <summary>A top-level property of its declaration (<c>properties</c>, <c>identity</c>, <c>kind</c>), or null when it has none.</summary>
    public object? Get(string name) => Resource.Declared(name) is { } value ? Template.Evaluate(value, Frame) : null;

    /// <inheritdoc />
    public override string ToString() => $"{Type} {Resource.SymbolicName ?? Resource.Json.GetProperty("name").ToString()}";
}
