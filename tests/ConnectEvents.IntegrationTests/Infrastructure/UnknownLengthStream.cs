namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>A readable stream that does not report its length, so a request carrying it goes out chunked.</summary>
internal sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
{
    /// <inheritdoc/>
    public override bool CanSeek => false;
}
