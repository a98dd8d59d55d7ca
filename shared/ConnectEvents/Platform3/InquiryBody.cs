using System.Text.Json.Serialization;

namespace ConnectEvents.Platform3;

/// <summary>The Inquiry API's message, as much of it as we read (the rest is ignored).</summary>
internal sealed class InquiryBody
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("amount")]
    public string? Amount { get; set; }

    [JsonPropertyName("currency")]
    public string? Currency { get; set; }

    [JsonPropertyName("result")]
    public InquiryResultBody? Result { get; set; }
}
