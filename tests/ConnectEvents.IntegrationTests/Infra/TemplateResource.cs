using System.Text.Json;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>A resource as a template declares it, before copy loops and conditions.</summary>
/// <param name="SymbolicName">Its symbolic name in a languageVersion 2.0 template, else null.</param>
/// <param name="Position">Its position among the template's resources.</param>
/// <param name="Json">Its declaration.</param>
public sealed record TemplateResource(string? SymbolicName, int Position, JsonElement Json)
{
    /// <summary>A declaration property's JSON, or null when the resource does not set it.</summary>
    public JsonElement? Declared(string name) => Json.TryGetProperty(name, out var value) ? value : null;
}
