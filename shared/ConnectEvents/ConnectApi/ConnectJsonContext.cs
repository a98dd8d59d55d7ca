using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectEvents.ConnectApi;

/// <summary>System.Text.Json source generation for the Connect objects (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PaymentResponse))]
[JsonSerializable(typeof(CapturePaymentRequest))]
[JsonSerializable(typeof(CaptureResponse))]
[JsonSerializable(typeof(TokenizePaymentRequest))]
[JsonSerializable(typeof(CreateTokenResponse))]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(SessionResponse))]
public sealed partial class ConnectJsonContext : JsonSerializerContext;
