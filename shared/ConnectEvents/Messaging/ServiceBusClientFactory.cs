using Azure.Messaging.ServiceBus;
using ConnectEvents.Identity;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.Messaging;

/// <summary>
/// Builds the app's one <see cref="ServiceBusClient"/> from the Functions-style <c>ServiceBusConnection</c> connection: a
/// connection string in <c>ServiceBusConnection</c>, passed to the SDK as is (it wins when both are set, as in the Functions
/// host), or identity-based settings <c>ServiceBusConnection__fullyQualifiedNamespace</c> (+ <c>__clientId</c> for a
/// user-assigned identity, <c>__credential</c> = <c>managedidentity</c> for the system-assigned one).
/// </summary>
public static class ServiceBusClientFactory
{
    /// <summary>The configuration name of the connection.</summary>
    public const string ConnectionName = "ServiceBusConnection";

    /// <summary>The setting that names the namespace for a managed identity.</summary>
    public const string NamespaceSetting = ConnectionName + "__fullyQualifiedNamespace";

    /// <summary>True when a Service Bus connection is configured, which is what turns topic publishing on.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        var connection = IdentityConnection.Read(configuration, ConnectionName);
        return connection.ConnectionString is not null || connection.FullyQualifiedNamespace() is not null;
    }

    /// <summary>Creates the client; this makes no connection (the first send does).</summary>
    /// <exception cref="InvalidOperationException">The connection is missing or malformed; the message names the setting and never quotes a key.</exception>
    public static ServiceBusClient Create(IConfiguration configuration, EventsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problem = Validate(configuration, options.TopicName);
        if (problem is not null)
        {
            throw new InvalidOperationException(problem);
        }

        var clientOptions = new ServiceBusClientOptions { RetryOptions = OutboundBudgets.ServiceBus(options), Identifier = "connect-events-webhook" };
        var connection = IdentityConnection.Read(configuration, ConnectionName);
        return connection.ConnectionString is { } connectionString
            ? new ServiceBusClient(connectionString, clientOptions)
            : new ServiceBusClient(connection.FullyQualifiedNamespace()!, connection.Credential(), clientOptions);
    }

    /// <summary>
    /// Checks the configured connection without using it: null when usable (or when none is configured), otherwise a
    /// message naming the setting. The connection string is read with the SDK's own parser and is never quoted.
    /// </summary>
    public static string? Validate(IConfiguration configuration, string topicName)
    {
        var connection = IdentityConnection.Read(configuration, ConnectionName);
        if (connection.ConnectionString is { } connectionString)
        {
            ServiceBusConnectionStringProperties parts;
            try
            {
                parts = ServiceBusConnectionStringProperties.Parse(connectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                return $"{ConnectionName} is not a Service Bus connection string ({ex.GetType().Name}); expected Endpoint=sb://<namespace>/;SharedAccessKeyName=…;SharedAccessKey=….";
            }

            if (string.IsNullOrEmpty(parts.FullyQualifiedNamespace))
            {
                return $"{ConnectionName} has no Endpoint=sb://<namespace>/ part.";
            }

            if (string.IsNullOrEmpty(parts.SharedAccessSignature) && (string.IsNullOrEmpty(parts.SharedAccessKeyName) || string.IsNullOrEmpty(parts.SharedAccessKey)))
            {
                return $"{ConnectionName} needs SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature); for a managed identity set {NamespaceSetting} instead.";
            }

            return parts.EntityPath is { Length: > 0 } path && !string.Equals(path, topicName, StringComparison.OrdinalIgnoreCase)
                ? $"{ConnectionName} is for entity '{path}' but Events__TopicName is '{topicName}'."
                : null;
        }

        var host = connection.FullyQualifiedNamespace();
        return host is null || Uri.CheckHostName(host) != UriHostNameType.Unknown
            ? null
            : $"{NamespaceSetting} must be a namespace host such as sb-connect.servicebus.windows.net.";
    }
}
