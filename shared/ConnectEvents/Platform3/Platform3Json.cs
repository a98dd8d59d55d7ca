using System.Text.Json.Serialization;

namespace ConnectEvents.Platform3;

/// <summary>Source-generated JSON for the v3 platform's messages.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NotificationMessage))]
[JsonSerializable(typeof(InquiryBody))]
[JsonSerializable(typeof(VerifiedPaymentEvent))]
internal sealed partial class Platform3Json : JsonSerializerContext;
