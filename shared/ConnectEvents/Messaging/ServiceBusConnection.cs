using ConnectEvents.Identity;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.Messaging;

/// <summary>
/// The Functions-style <c>ServiceBusConnection</c> connection, read the way the Service Bus trigger reads it: either a
/// connection string in <c>ServiceBusConnection</c> (SAS; for tests and places without managed identity), or
/// identity-based settings <c>ServiceBusConnection__fullyQualifiedNamespace</c> (+ <c>__clientId</c> for a
/// user-assigned identity, <c>__credential</c> = <c>managedidentity</c> for the system-assigned one).
/// </summary>
public sealed class ServiceBusConnection
{
    /// <summary>The configuration name of the connection, shared with the processor's <c>serviceBusTrigger</c>.</summary>
    public const string ConnectionName = "ServiceBusConnection";

    private ServiceBusConnection(string fullyQualifiedNamespace)
    {
        FullyQualifiedNamespace = fullyQualifiedNamespace;
    }

    /// <summary>The namespace host, e.g. <c>sb-connect.servicebus.windows.net</c>.</summary>
    public string FullyQualifiedNamespace { get; }

    /// <summary>SAS policy name (connection string with a key).</summary>
    public string? SharedAccessKeyName { get; private init; }

    /// <summary>SAS policy key (never logged).</summary>
    public string? SharedAccessKey { get; private init; }

    /// <summary>A ready-made SAS token from the connection string (<c>SharedAccessSignature=…</c>), used as is.</summary>
    public string? SharedAccessSignature { get; private init; }

    /// <summary>The <c>EntityPath</c> of an entity-level connection string, if any.</summary>
    public string? EntityPath { get; private init; }

    /// <summary>Client id of a user-assigned managed identity (identity-based connection).</summary>
    public string? ClientId { get; private init; }

    /// <summary>True when <c>__credential</c> asks for the managed identity rather than the default credential chain.</summary>
    public bool UseManagedIdentity { get; private init; }

    /// <summary>True when the connection authenticates with Microsoft Entra tokens rather than a SAS.</summary>
    public bool UsesEntraId => SharedAccessKey is null && SharedAccessSignature is null;

    /// <summary>Reads the connection from configuration.</summary>
    /// <exception cref="InvalidOperationException">Nothing usable is configured; the message names the settings to set.</exception>
    public static ServiceBusConnection FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[ConnectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return Parse(connectionString);
        }

        var section = configuration.GetSection(ConnectionName);
        var fqns = section["fullyQualifiedNamespace"];
        if (string.IsNullOrWhiteSpace(fqns))
        {
            throw new InvalidOperationException(
                "Events__Transport is ServiceBus but the Service Bus connection is not configured: set " +
                "ServiceBusConnection__fullyQualifiedNamespace (managed identity; ServiceBusConnection__clientId for a " +
                "user-assigned one) or ServiceBusConnection to a connection string (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…).");
        }

        var clientId = section["clientId"];
        return new ServiceBusConnection(NormaliseHost(fqns, "ServiceBusConnection__fullyQualifiedNamespace"))
        {
            ClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId,
            UseManagedIdentity = AzureCredentials.IsManagedIdentity(section["credential"]),
        };
    }

    /// <summary>Parses a Service Bus connection string (<c>Endpoint=sb://host/;SharedAccessKeyName=…;SharedAccessKey=…</c>).</summary>
    /// <exception cref="InvalidOperationException">A part is missing; the message names it but never echoes the key.</exception>
    public static ServiceBusConnection Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                parts[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }

        if (!parts.TryGetValue("Endpoint", out var endpoint) || string.IsNullOrEmpty(endpoint))
        {
            throw new InvalidOperationException("ServiceBusConnection is not a Service Bus connection string: it has no Endpoint=sb://<namespace>/ part.");
        }

        parts.TryGetValue("SharedAccessKeyName", out var keyName);
        parts.TryGetValue("SharedAccessKey", out var key);
        parts.TryGetValue("SharedAccessSignature", out var signature);
        if (string.IsNullOrEmpty(signature) && (string.IsNullOrEmpty(keyName) || string.IsNullOrEmpty(key)))
        {
            throw new InvalidOperationException(
                "ServiceBusConnection needs SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature); " +
                "for a managed identity set ServiceBusConnection__fullyQualifiedNamespace instead.");
        }

        parts.TryGetValue("EntityPath", out var entityPath);
        return new ServiceBusConnection(NormaliseHost(endpoint, "the Endpoint of ServiceBusConnection"))
        {
            SharedAccessKeyName = string.IsNullOrEmpty(signature) ? keyName : null,
            SharedAccessKey = string.IsNullOrEmpty(signature) ? key : null,
            SharedAccessSignature = string.IsNullOrEmpty(signature) ? null : signature,
            EntityPath = string.IsNullOrEmpty(entityPath) ? null : entityPath,
        };
    }

    /// <summary>The HTTPS base address of the namespace's REST API.</summary>
    public Uri RestEndpoint => new($"https://{FullyQualifiedNamespace}/");

    private static string NormaliseHost(string value, string setting)
    {
        // Accept "ns.servicebus.windows.net", "sb://ns.servicebus.windows.net/" and "https://…/" alike.
        var text = value.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "sb://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || uri.AbsolutePath.Trim('/').Length > 0)
        {
            throw new InvalidOperationException($"{setting} must be a namespace host such as sb-connect.servicebus.windows.net, got '{value}'.");
        }

        return uri.IsDefaultPort || uri.Port < 0 ? uri.Host.ToLowerInvariant() : $"{uri.Host.ToLowerInvariant()}:{uri.Port}";
    }
}
