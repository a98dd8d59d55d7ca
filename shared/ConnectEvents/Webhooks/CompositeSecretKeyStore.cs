namespace ConnectEvents.Webhooks;

/// <summary>Asks several stores in order; the first that knows the key id answers.</summary>
public sealed class CompositeSecretKeyStore(IReadOnlyList<ISecretKeyStore> stores) : ISecretKeyStore
{
    /// <inheritdoc />
    public async ValueTask<byte[]?> GetSecretAsync(string keyId, CancellationToken cancellationToken)
    {
        foreach (var store in stores)
        {
            if (await store.GetSecretAsync(keyId, cancellationToken) is { } secret)
            {
                return secret;
            }
        }

        return null;
    }
}
