using System.Security.Cryptography;
using System.Text;

namespace ConnectEvents.Messaging;

/// <summary>
/// Turns an event id into a Service Bus MessageId, which holds at most <see cref="MaxLength"/> characters: an id that
/// fits is used as it is (the topic's duplicate detection compares it), a longer one becomes <c>sha256:</c> and the hex
/// SHA-256 of its UTF-8 bytes, the same for every redelivery of the same id. The id itself stays in the message's
/// <c>eventId</c> property.
/// </summary>
public static class ServiceBusMessageIds
{
    /// <summary>The longest MessageId Service Bus accepts.</summary>
    public const int MaxLength = 128;

    /// <summary>The MessageId of <paramref name="eventId"/>.</summary>
    public static string For(string eventId)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        return eventId.Length <= MaxLength ? eventId : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventId)));
    }
}
