using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ConnectEvents.Storage;

namespace ConnectEvents.Messaging;

/// <summary>Source-generated JSON for quarantine entries.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(QuarantinedEvent))]
internal sealed partial class QuarantineJsonContext : JsonSerializerContext;
