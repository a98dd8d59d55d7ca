using System.Globalization;
using ConnectEvents.Events;
using ConnectEvents.Tokens;

namespace ConnectEvents.Processing.Handlers;

/// <summary>token.deleted and token.expired remove the token from every customer of the merchant in the vault; other token events are recorded only.</summary>
/// <param name="vault">The token vault.</param>
public sealed class TokenHandler(ITokenVault vault) : IConnectFamilyHandler
{
    /// <inheritdoc />
    public string Family => "token";

    /// <inheritdoc />
    public async Task<string> HandleAsync(ConnectEventEnvelope evt, ProcessingDetail detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(detail);
        if (evt.Type is not ("token.deleted" or "token.expired") || evt.ResourceId is not { } tokenId)
        {
            return EventOutcomes.NoAction;
        }

        var removed = await vault.RemoveEverywhereAsync(evt.MerchantId, tokenId, cancellationToken);
        detail.Actions.Add(new("token-removed", tokenId, removed.ToString(CultureInfo.InvariantCulture), false, 0));
        return removed > 0 ? "token-removed" : EventOutcomes.NoAction;
    }
}
