using System.Text.Json.Serialization;

namespace ConnectEvents.Processing;

/// <summary>Source-generated JSON for processing records and payloads.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProcessingDetail))]
[JsonSerializable(typeof(string))]
public sealed partial class ProcessingJsonContext : JsonSerializerContext;
