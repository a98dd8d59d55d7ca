using System.Text.Json.Serialization;

namespace ConnectEvents.Messaging;

/// <summary>Source-generated JSON for quarantine entries.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(QuarantinedEvent))]
internal sealed partial class QuarantineJsonContext : JsonSerializerContext;
