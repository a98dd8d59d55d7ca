namespace ConnectEvents.Processing;

/// <summary>One side effect performed on Connect or the token vault.</summary>
/// <param name="Name">capture, tokenize, token-removed.</param>
/// <param name="ConnectId">The id Connect gave (capture id, token id).</param>
/// <param name="Status">The status Connect answered.</param>
/// <param name="Replayed">True when Connect answered with the stored response of an earlier identical request (idempotence key).</param>
/// <param name="ElapsedMs">The call's duration.</param>
public sealed record ProcessingAction(string Name, string? ConnectId, string? Status, bool Replayed, double ElapsedMs);
