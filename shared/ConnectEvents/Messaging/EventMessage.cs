namespace ConnectEvents.Messaging;

/// <summary>A verified Connect event on its way to the queue: the exact bytes Worldline sent plus what ingress learnt about them.</summary>
/// <param name="Body">The raw request body, byte for byte as signed; never re-serialised.</param>
/// <param name="Metadata">The envelope facts used for routing, filtering and logging.</param>
public sealed record EventMessage(ReadOnlyMemory<byte> Body, EventMetadata Metadata);
