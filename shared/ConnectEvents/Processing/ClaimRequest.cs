using ConnectEvents.Idempotence;

namespace ConnectEvents.Processing;

/// <summary>What the exactly-once processor claims.</summary>
/// <param name="Key">The processed-event store key; the caller chooses it, so platforms cannot collide (Connect: the event id; v3: <c>v3:&lt;merchant&gt;:&lt;reference&gt;</c>).</param>
/// <param name="EventId">The event's own id, for logs and summaries.</param>
/// <param name="Info">What is stored with the claim for operators, and whether the key recurs.</param>
public sealed record ClaimRequest(string Key, string EventId, EventClaimInfo Info);
