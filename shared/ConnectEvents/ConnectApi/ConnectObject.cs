using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectEvents.ConnectApi;

/// <summary>Base of every Connect object: fields this product does not model are kept, not dropped.</summary>
public abstract class ConnectObject
{
    /// <summary>Fields not modelled here, as received.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
}
