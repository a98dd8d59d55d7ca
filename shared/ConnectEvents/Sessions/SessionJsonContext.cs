using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectEvents.Sessions;

/// <summary>Source-generated JSON for the session endpoints (camelCase, nulls omitted, unknown fields refused).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateClientSessionRequest))]
[JsonSerializable(typeof(CreateClientSessionResponse))]
[JsonSerializable(typeof(IReadOnlyList<StoredTokenView>))]
[JsonSerializable(typeof(SessionProblem))]
public sealed partial class SessionJsonContext : JsonSerializerContext;
