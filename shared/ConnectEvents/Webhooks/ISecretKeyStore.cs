namespace ConnectEvents.Webhooks;

/// <summary>Looks up the webhook secret key for a key id (X-GCS-KeyId); several keys may be live at once for rotation.</summary>
public interface ISecretKeyStore
{
    /// <summary>Returns the UTF-8 bytes of the secret for <paramref name="keyId"/>, or null when the key id is not known.</summary>
    /// <remarks>Implementations must answer unknown ids cheaply: attackers can send random key ids.</remarks>
    ValueTask<byte[]?> GetSecretAsync(string keyId, CancellationToken cancellationToken);
}
