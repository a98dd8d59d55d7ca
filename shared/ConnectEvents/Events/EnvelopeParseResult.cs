namespace ConnectEvents.Events;

/// <summary>The outcome of <see cref="ConnectEventEnvelope.Parse"/>: an envelope, or the reason the body is unusable.</summary>
/// <param name="Envelope">The envelope when the body is usable.</param>
/// <param name="Error">A short, safe description of what is wrong (no body content beyond short field values).</param>
public readonly record struct EnvelopeParseResult(ConnectEventEnvelope? Envelope, string? Error)
{
    /// <summary>True when the body yielded a usable envelope.</summary>
    public bool IsSuccess => Envelope is not null;

    /// <summary>A usable envelope.</summary>
    public static EnvelopeParseResult Ok(ConnectEventEnvelope envelope) => new(envelope, null);

    /// <summary>An unusable body, with the reason.</summary>
    public static EnvelopeParseResult Fail(string error) => new(null, error);
}
