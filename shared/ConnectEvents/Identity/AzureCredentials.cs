using Azure.Core;
using Azure.Identity;

namespace ConnectEvents.Identity;

/// <summary>
/// Picks the Azure credential for an identity-based connection the way the Functions host reads <c>__clientId</c> and
/// <c>__credential</c>, so storage, Service Bus and Key Vault authenticate alike.
/// </summary>
internal static class AzureCredentials
{
    /// <summary>The <c>__credential</c> value that asks for the managed identity instead of the default chain.</summary>
    public const string ManagedIdentity = "managedidentity";

    /// <summary>
    /// A user-assigned managed identity when <paramref name="clientId"/> is set; the system-assigned one when
    /// <paramref name="credential"/> is <c>managedidentity</c>; otherwise <see cref="DefaultAzureCredential"/>
    /// (developer sign-ins locally, managed identity in Azure).
    /// </summary>
    public static TokenCredential Create(string? clientId, string? credential)
    {
        if (!string.IsNullOrWhiteSpace(clientId))
        {
            return new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId.Trim()));
        }

        return IsManagedIdentity(credential)
            ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
    }

    /// <summary>True when a <c>__credential</c> setting asks for the managed identity.</summary>
    public static bool IsManagedIdentity(string? credential) =>
        string.Equals(credential?.Trim(), ManagedIdentity, StringComparison.OrdinalIgnoreCase);
}
