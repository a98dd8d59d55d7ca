using System.Text.Json;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// What a template deploys for one parameter set: the resources of the types asked for, across every module whose
/// condition holds, each copy loop expanded and each resource's condition applied. Other resource types are not
/// evaluated, as they cannot create a queue or grant a role.
/// </summary>
public sealed class ArmDeployment
{
    /// <summary>The type of a nested deployment (what a Bicep module compiles to).</summary>
    public const string DeploymentType = "Microsoft.Resources/deployments";

    private readonly IReadOnlySet<string> _types;
    private readonly List<DeployedResource> _resources = [];

    private ArmDeployment(IReadOnlySet<string> types) => _types = types;

    /// <summary>The resources of the requested types that the deployment creates or refers to.</summary>
    public IReadOnlyList<DeployedResource> Resources => _resources;

    /// <summary>Evaluates <paramref name="template"/> deployed with <paramref name="parameters"/> (plain values) at <paramref name="scope"/>.</summary>
    /// <exception cref="ArmEvaluationException">The template uses a feature or function the checker does not evaluate.</exception>
    public static ArmDeployment Evaluate(JsonElement template, IReadOnlyDictionary<string, object?> parameters, ArmScope scope, IEnumerable<string> types)
    {
        var deployment = new ArmDeployment(new HashSet<string>(types, StringComparer.OrdinalIgnoreCase));
        deployment.Walk(new ArmTemplate(template, parameters.ToDictionary(p => p.Key, p => (Func<object?>)(() => p.Value), StringComparer.OrdinalIgnoreCase), scope));
        return deployment;
    }

    /// <summary>The created (not existing) resources of <paramref name="type"/>.</summary>
    public IEnumerable<DeployedResource> Created(string type) =>
        _resources.Where(r => !r.Existing && r.Type.Equals(type, StringComparison.OrdinalIgnoreCase));

    private void Walk(ArmTemplate template)
    {
        foreach (var resource in template.Resources)
        {
            if (resource.Declared("resources") is not null)
            {
                throw new ArmEvaluationException($"A resource declares child resources inline ('resources'), which the checker does not evaluate: {Describe(resource)}.");
            }

            var type = ArmTemplate.Text(template.Evaluate(resource.Json.GetProperty("type"), ArmFrame.Root), "resource type");
            var isDeployment = type.Equals(DeploymentType, StringComparison.OrdinalIgnoreCase);
            if (!isDeployment && !_types.Contains(type))
            {
                continue;
            }

            foreach (var frame in Iterations(template, resource))
            {
                if (resource.Declared("condition") is { } condition
                    && template.Evaluate(condition, frame) is var holds && (holds as bool? ?? throw new ArmEvaluationException($"The condition of {Describe(resource)} is {ArmFunctions.Describe(holds)}, not a boolean.")) is false)
                {
                    continue;
                }

                if (isDeployment)
                {
                    if (resource.Declared("existing") is null)
                    {
                        Walk(template.Module(resource, frame));
                    }
                }
                else
                {
                    _resources.Add(new DeployedResource(template, resource, frame, type));
                }
            }
        }
    }

    private static List<ArmFrame> Iterations(ArmTemplate template, TemplateResource resource)
    {
        if (resource.Declared("copy") is not { } copy)
        {
            return [ArmFrame.Root];
        }

        var name = copy.GetProperty("name").GetString()!;
        var count = template.Evaluate(copy.GetProperty("count"), ArmFrame.Root) as long?
            ?? throw new ArmEvaluationException($"The copy count of {Describe(resource)} is not an integer.");
        return Enumerable.Range(0, (int)count).Select(i => ArmFrame.Root.InCopy(name, i)).ToList();
    }

    private static string Describe(TemplateResource resource) => resource.SymbolicName ?? resource.Json.GetProperty("name").ToString();
}
