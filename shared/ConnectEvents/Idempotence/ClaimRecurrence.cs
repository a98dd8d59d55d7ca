namespace ConnectEvents.Idempotence;

/// <summary>
/// A key that stands for something whose state changes over time (a v3 payment), not for one event: each delivery asks
/// for a round of work that looks at the state after the delivery arrived. A final record covers the delivery when its
/// last round began at or after <paramref name="NotBefore"/>; otherwise a new round begins on the same record, at most
/// one in flight (the lease) and no sooner than <paramref name="Spacing"/> after the last one began. One record per key,
/// whatever a sender posts.
/// </summary>
/// <param name="NotBefore">The earliest start of a round that covers this delivery (its arrival, plus a margin for clock skew).</param>
/// <param name="Spacing">The shortest time between the starts of two rounds.</param>
public sealed record ClaimRecurrence(DateTimeOffset NotBefore, TimeSpan Spacing);
