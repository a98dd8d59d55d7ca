using System.Text.Json.Serialization;

namespace ConnectEvents.Platform3;

/// <summary>The <c>result</c> object: a code and a description.</summary>
internal sealed class InquiryResultBody
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }
}
