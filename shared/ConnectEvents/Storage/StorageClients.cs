using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ConnectEvents.Identity;
using Microsoft.Extensions.Configuration;

namespace ConnectEvents.Storage;

/// <summary>
/// Creates Azure Storage clients from the Functions-style <c>AzureWebJobsStorage</c> connection: a connection string
/// (Azurite locally), or identity-based settings in Azure (<c>AzureWebJobsStorage__accountName</c> or the
/// <c>__queueServiceUri</c>/<c>__tableServiceUri</c>/<c>__blobServiceUri</c> settings, with <c>__clientId</c> for a
/// user-assigned identity or <c>__credential</c> = <c>managedidentity</c> for the system-assigned one).
/// </summary>
public sealed class StorageClients
{
    /// <summary>The configuration name of the storage connection, as the Functions host uses it.</summary>
    public const string ConnectionName = "AzureWebJobsStorage";

    private readonly string? _connectionString;
    private readonly TokenCredential? _credential;
    private readonly Uri? _queueUri;
    private readonly Uri? _tableUri;
    private readonly Uri? _blobUri;

    private StorageClients(string? connectionString, TokenCredential? credential, Uri? queueUri, Uri? tableUri, Uri? blobUri)
    {
        _connectionString = connectionString;
        _credential = credential;
        _queueUri = queueUri;
        _tableUri = tableUri;
        _blobUri = blobUri;
    }

    /// <summary>The credential of an identity-based connection; null with a connection string.</summary>
    internal TokenCredential? Credential => _credential;

    /// <summary>Storage clients over a connection string (Azurite or an account key).</summary>
    public static StorageClients FromConnectionString(string connectionString) =>
        new(connectionString ?? throw new ArgumentNullException(nameof(connectionString)), null, null, null, null);

    /// <summary>Reads <c>AzureWebJobsStorage</c> from configuration.</summary>
    /// <exception cref="InvalidOperationException">Neither a connection string nor identity-based settings are configured.</exception>
    public static StorageClients FromConfiguration(IConfiguration configuration)
    {
        var connection = IdentityConnection.Read(configuration, ConnectionName);
        if (connection.ConnectionString is { } connectionString)
        {
            return FromConnectionString(connectionString);
        }

        var queue = connection.ServiceUri("queueServiceUri") ?? connection.AccountServiceUri("queue");
        var table = connection.ServiceUri("tableServiceUri") ?? connection.AccountServiceUri("table");
        var blob = connection.ServiceUri("blobServiceUri") ?? connection.AccountServiceUri("blob");
        if (queue is null && table is null && blob is null)
        {
            throw new InvalidOperationException(
                "AzureWebJobsStorage is not configured: set AzureWebJobsStorage to a connection string " +
                "(UseDevelopmentStorage=true or Azurite's) or AzureWebJobsStorage__accountName for a managed identity.");
        }

        return new StorageClients(null, connection.Credential(), queue, table, blob);
    }

    /// <summary>A queue client; messages are base64-encoded as the Functions queue trigger expects by default.</summary>
    public QueueClient Queue(string queueName, QueueClientOptions? options = null)
    {
        options ??= DefaultQueueOptions();
        return _connectionString is not null
            ? new QueueClient(_connectionString, queueName, options)
            : new QueueClient(new Uri(Require(_queueUri, "queueServiceUri"), queueName), _credential!, options);
    }

    /// <summary>A table client, with short retries unless <paramref name="options"/> says otherwise (a storage outage should fail the call quickly and leave the backoff to the trigger).</summary>
    public TableClient Table(string tableName, TableClientOptions? options = null)
    {
        options ??= WithShortRetries(new TableClientOptions());
        return _connectionString is not null
            ? new TableClient(_connectionString, tableName, options)
            : new TableClient(Require(_tableUri, "tableServiceUri"), tableName, _credential!, options);
    }

    /// <summary>A blob container client.</summary>
    public BlobContainerClient BlobContainer(string containerName, BlobClientOptions? options = null)
    {
        options ??= WithShortRetries(new BlobClientOptions());
        return _connectionString is not null
            ? new BlobContainerClient(_connectionString, containerName, options)
            : new BlobContainerClient(new Uri(Require(_blobUri, "blobServiceUri"), containerName), _credential!, options);
    }

    /// <summary>Queue options for the webhook path: base64 messages and a short retry budget (the webhook must answer quickly).</summary>
    public static QueueClientOptions DefaultQueueOptions() =>
        WithShortRetries(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>Sets the Storage retry budget (<see cref="OutboundBudgets.Storage"/>): two quick retries, five-second network timeout.</summary>
    public static T WithShortRetries<T>(T options) where T : Azure.Core.ClientOptions => OutboundBudgets.Storage(options);

    private static Uri Require(Uri? uri, string setting) =>
        uri ?? throw new InvalidOperationException($"AzureWebJobsStorage__{setting} (or __accountName) is not configured.");
}
