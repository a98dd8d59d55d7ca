namespace ConnectEvents.Messaging;

/// <summary>The facts every topic message carries as its envelope, whichever platform the event comes from.</summary>
/// <param name="EventId">The event's id (MessageId, or its hash when longer than Service Bus allows: <see cref="ServiceBusMessageIds"/>).</param>
/// <param name="EventType">The event type (Subject), e.g. <c>payment.paid</c>.</param>
/// <param name="MerchantId">The merchant.</param>
/// <param name="ApiVersion">The platform API version the event comes from (<c>v1</c> for Connect, <c>v3</c>).</param>
/// <param name="ResourceType">Which object the event is about (<c>payment</c>, …), or null.</param>
/// <param name="ResourceId">That object's id.</param>
/// <param name="Time">When the event happened (CloudEvents <c>time</c>).</param>
/// <param name="SourcePrefix">The CloudEvents <c>source</c> prefix; the URL-escaped merchant id follows.</param>
/// <param name="TypePrefix">The CloudEvents <c>type</c> prefix; the event type follows.</param>
public sealed record TopicEnvelope(
    string EventId, string EventType, string MerchantId, string ApiVersion, string? ResourceType, string? ResourceId, DateTimeOffset Time,
    string SourcePrefix, string TypePrefix);
