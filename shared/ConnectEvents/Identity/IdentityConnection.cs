using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.Identity;

/// <summary>
/// The settings of one connection, read the way the Functions host reads them, and the only place they are parsed: a
/// connection string in <c>{name}</c> itself, or identity-based settings below it (<c>{name}__fullyQualifiedNamespace</c>,
/// <c>{name}__serviceUri</c> and the like, <c>{name}__accountName</c>), authenticated as <c>{name}__clientId</c> (a
/// user-assigned managed identity) or <c>{name}__credential</c> = <c>managedidentity</c> (the system-assigned one) say,
/// otherwise with <see cref="DefaultAzureCredential"/>. Storage, Service Bus and Key Vault all read theirs here.
/// </summary>
public sealed class IdentityConnection
{
    /// <summary>The <c>__credential</c> value that asks for the managed identity instead of the default chain.</summary>
    public const string ManagedIdentity = "managedidentity";

    private readonly IConfigurationSection _section;

    private IdentityConnection(string name, string? connectionString, IConfigurationSection section)
    {
        Name = name;
        ConnectionString = connectionString;
        _section = section;
    }

    /// <summary>The connection's name as an environment variable spells it (<c>Webhooks__KeyVault</c>, <c>AzureWebJobsStorage</c>).</summary>
    public string Name { get; }

    /// <summary>The connection string set in <c>{name}</c> itself, or null when it is empty.</summary>
    public string? ConnectionString { get; }

    /// <summary>Reads the connection <paramref name="name"/> (a configuration path: <c>:</c> or <c>__</c> between the parts).</summary>
    public static IdentityConnection Read(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var path = name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
        var value = configuration[path];
        return new IdentityConnection(path.Replace(ConfigurationPath.KeyDelimiter, "__", StringComparison.Ordinal),
            string.IsNullOrWhiteSpace(value) ? null : value, configuration.GetSection(path));
    }

    /// <summary>The full name of one setting of the connection, as error messages name it (<c>{name}__{key}</c>).</summary>
    public string SettingName(string key) => $"{Name}__{key}";

    /// <summary>The trimmed value of <c>{name}__{key}</c>, or null when it is not set or blank.</summary>
    public string? Setting(string key) => _section[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>
    /// <c>{name}__{key}</c> as a service endpoint, ending in <c>/</c> so that relative names resolve below it; null when not set.
    /// </summary>
    /// <exception cref="InvalidOperationException">The value is not an absolute http(s) URL; the message names the setting.</exception>
    public Uri? ServiceUri(string key)
    {
        var value = Setting(key);
        if (value is null)
        {
            return null;
        }

        return TryParseServiceUri(value, out var uri)
            ? uri
            : throw new InvalidOperationException(NotAServiceUri(SettingName(key)));
    }

    /// <summary>The message for a service URI setting that is not an absolute http(s) URL.</summary>
    internal static string NotAServiceUri(string settingName) =>
        $"{settingName} must be an absolute https URL, e.g. https://<name>.<service>.windows.net/.";

    /// <summary>
    /// The endpoint of a storage service (<c>queue</c>, <c>table</c>, <c>blob</c>) of the account <c>{name}__accountName</c>
    /// names, for when no service URI is set; null when no account name is set either.
    /// </summary>
    public Uri? AccountServiceUri(string service) =>
        Setting("accountName") is { } account ? new Uri($"https://{account}.{service}.core.windows.net/") : null;

    /// <summary>
    /// The host of <c>{name}__fullyQualifiedNamespace</c> (the form the SDK wants), also when it was copied from the
    /// portal as <c>sb://…/</c> or <c>https://…/</c>; null when not set.
    /// </summary>
    public string? FullyQualifiedNamespace() =>
        Setting("fullyQualifiedNamespace") is not { } value ? null
        : value.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri.Host
        : value.TrimEnd('/');

    /// <summary>The credential <c>{name}__clientId</c> and <c>{name}__credential</c> ask for; constructing it makes no network call.</summary>
    public TokenCredential Credential() => CreateCredential(Setting("clientId"), Setting("credential"));

    /// <summary>
    /// A user-assigned managed identity when <paramref name="clientId"/> is set; the system-assigned one when
    /// <paramref name="credential"/> is <c>managedidentity</c>; otherwise <see cref="DefaultAzureCredential"/>
    /// (developer sign-ins locally, managed identity in Azure).
    /// </summary>
    internal static TokenCredential CreateCredential(string? clientId, string? credential)
    {
        if (!string.IsNullOrWhiteSpace(clientId))
        {
            return new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId.Trim()));
        }

        return string.Equals(credential?.Trim(), ManagedIdentity, StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
    }

    /// <summary>True when <paramref name="value"/> is an absolute http(s) URL; <paramref name="uri"/> then ends in <c>/</c>.</summary>
    internal static bool TryParseServiceUri(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri)
    {
        uri = null;
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text)
            || !Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            return false;
        }

        uri = parsed;
        return true;
    }
}
