using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Cli;

/// <summary>A message in the poison queue, with the event it carries when its body is a readable event.</summary>
internal sealed record PoisonMessage(string MessageId, DateTimeOffset? InsertedOn, long DequeueCount, ReadOnlyMemory<byte> Body, ConnectEventEnvelope? Envelope)
{
    public string? PopReceipt { get; init; }

    /// <summary>The event id, or the message id when the body is not a readable event.</summary>
    public string EventId => Envelope?.Id ?? MessageId;
}

/// <summary>A quarantine blob: its entry id, when it was received, and whether the CLI already replayed it.</summary>
internal sealed record QuarantineBlob(string BlobName, string EntryId, DateTimeOffset? ReceivedAt, string? ReplayedAt, string? ReplayedEventId);

/// <summary>
/// The app's storage as the operations subcommands use it: the processed-event store, the processing queue and its poison
/// queue, and the quarantine container, built by <see cref="StorageClients"/> from the app's own settings. Every call is
/// guarded so a failure reads as one line naming the service, the endpoint and the setting.
/// </summary>
internal sealed class Operations : IAsyncDisposable
{
    public const string PoisonSuffix = "-poison";
    private const int PeekLimit = 32;
    private static readonly TimeSpan ScanVisibility = TimeSpan.FromMinutes(2);

    private readonly CancellationToken _ct;
    private readonly TableClient _table;
    private readonly BlobContainerClient _container;
    private ServiceProvider? _webhookServices;

    private Operations(CliSettings settings, StorageClients clients, CliEnvironment env, CancellationToken ct)
    {
        Settings = settings;
        Env = env;
        _ct = ct;
        _table = clients.Table(settings.TableName);
        Store = new TableProcessedEventStore(_table, TimeProvider.System);
        Queue = clients.Queue(settings.QueueName);
        PoisonQueue = clients.Queue(settings.QueueName + PoisonSuffix);
        _container = clients.BlobContainer(settings.QuarantineContainer);
        Quarantine = new BlobQuarantineStore(_container);
        Sender = new QueueSender(Queue);
    }

    public CliSettings Settings { get; }

    public CliEnvironment Env { get; }

    public TableProcessedEventStore Store { get; }

    public QueueClient Queue { get; }

    public QueueClient PoisonQueue { get; }

    public BlobQuarantineStore Quarantine { get; }

    public QueueSender Sender { get; }

    /// <summary>Reads the settings and builds the clients; nothing is sent yet.</summary>
    /// <exception cref="CliFailureException">The storage connection is missing or not a valid connection string.</exception>
    public static Operations Open(CliArgs args, CliEnvironment env, CancellationToken ct)
    {
        var settings = CliSettings.Load(args, env);
        try
        {
            return new Operations(settings, StorageClients.FromConfiguration(settings.Configuration), env, ct);
        }
        catch (InvalidOperationException ex) when (!settings.UsesConnectionString)
        {
            throw new CliFailureException(ex.Message + " (or pass --storage)");
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message may quote the connection string, account key included: name the setting only.
            throw new CliFailureException($"{StorageClients.ConnectionName}{settings.StorageSource} is not a valid storage connection string ({ex.GetType().Name})");
        }
    }

    public Task<T> TableAsync<T>(Func<CancellationToken, Task<T>> call) => GuardAsync("table", _table.Uri, call);

    public Task<T> QueueAsync<T>(QueueClient queue, Func<CancellationToken, Task<T>> call) => GuardAsync("queue", queue.Uri, call);

    public Task<T> BlobAsync<T>(Func<CancellationToken, Task<T>> call) => GuardAsync("blob", _container.Uri, call);

    /// <summary>Up to 32 poison messages, peeked (left in place), and how many the queue holds.</summary>
    public Task<(List<PoisonMessage> Messages, int Total)> PeekPoisonAsync() => QueueAsync(PoisonQueue, async ct =>
    {
        try
        {
            var total = (await PoisonQueue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
            var peeked = (await PoisonQueue.PeekMessagesAsync(PeekLimit, ct)).Value;
            return (peeked.Select(m => ToPoison(m.MessageId, m.InsertedOn, m.DequeueCount, m.Body)).ToList(), total);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            return ([], 0);
        }
    });

    /// <summary>
    /// Goes through the whole poison queue (received, so past the 32 a peek shows) and hands every message that
    /// <paramref name="select"/> picks to <paramref name="handle"/>; the others are made visible again at the end, untouched.
    /// </summary>
    public Task<int> ScanPoisonAsync(Func<PoisonMessage, bool> select, Func<PoisonMessage, Task> handle) => QueueAsync(PoisonQueue, async ct =>
    {
        var skipped = new List<PoisonMessage>();
        var handled = 0;
        try
        {
            while (true)
            {
                var batch = (await PoisonQueue.ReceiveMessagesAsync(PeekLimit, ScanVisibility, ct)).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                foreach (var m in batch)
                {
                    var message = ToPoison(m.MessageId, m.InsertedOn, m.DequeueCount, m.Body) with { PopReceipt = m.PopReceipt };
                    if (select(message))
                    {
                        await handle(message);
                        handled++;
                    }
                    else
                    {
                        skipped.Add(message);
                    }
                }
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            return 0;
        }
        finally
        {
            foreach (var m in skipped)
            {
                await PoisonQueue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            }
        }

        return handled;
    });

    /// <summary>Puts an event's exact bytes, unparsed, on the processing queue, where the queue trigger claims it like any delivery.</summary>
    public Task EnqueueAsync(ReadOnlyMemory<byte> body) => QueueAsync(Queue, async ct =>
    {
        await Sender.SendAsync(body, null, ct);
        return true;
    });

    /// <summary>The quarantine entries, oldest first, received at or after <paramref name="since"/>.</summary>
    public Task<List<QuarantineBlob>> ListQuarantineAsync(DateTimeOffset? since) => BlobAsync(async ct =>
    {
        var entries = new List<QuarantineBlob>();
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, ct))
            {
                var entry = ToQuarantine(blob);
                if (since is null || (entry.ReceivedAt ?? blob.Properties.CreatedOn) >= since)
                {
                    entries.Add(entry);
                }
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return entries;
        }

        return [.. entries.OrderBy(e => e.ReceivedAt)];
    });

    /// <summary>Marks a quarantine entry as replayed (blob metadata), so a filter replay does not take it again; the entry itself stays for the record.</summary>
    public Task MarkReplayedAsync(QuarantineBlob entry, string eventId) => BlobAsync(async ct =>
    {
        await _container.GetBlobClient(entry.BlobName).SetMetadataAsync(new Dictionary<string, string>
        {
            ["replayedat"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["eventid"] = Uri.EscapeDataString(eventId),
        }, cancellationToken: ct);
        return true;
    });

    /// <summary>
    /// The app's webhook services (secret key stores, the publisher to the queue and, when configured, the Service Bus topic),
    /// registered exactly as the app registers them, for the quarantine replay.
    /// </summary>
    /// <exception cref="CliFailureException">The webhook settings are missing or invalid (the message names them).</exception>
    public (ISecretKeyStore Keys, IEventPublisher Publisher) WebhookServices()
    {
        _webhookServices ??= new ServiceCollection().AddLogging().AddConnectWebhooks(Settings.Configuration).BuildServiceProvider();
        try
        {
            return (_webhookServices.GetRequiredService<ISecretKeyStore>(), _webhookServices.GetRequiredService<IEventPublisher>());
        }
        catch (OptionsValidationException ex)
        {
            throw new CliFailureException(string.Join("; ", ex.Failures));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_webhookServices is not null)
        {
            await _webhookServices.DisposeAsync();
        }
    }

    private async Task<T> GuardAsync<T>(string service, Uri endpoint, Func<CancellationToken, Task<T>> call)
    {
        try
        {
            return await call(_ct);
        }
        catch (Exception ex) when (ex is not CliFailureException && !_ct.IsCancellationRequested
            && StorageErrors.Describe(ex, service, endpoint, Settings.StorageSetting(service), Settings.UsesConnectionString) is { } failure)
        {
            throw failure;
        }
    }

    private static PoisonMessage ToPoison(string id, DateTimeOffset? inserted, long dequeueCount, BinaryData body)
    {
        var bytes = body.ToMemory();
        var parsed = ConnectEventEnvelope.Parse(bytes.Span);
        return new PoisonMessage(id, inserted, dequeueCount, bytes, parsed.Envelope);
    }

    private static QuarantineBlob ToQuarantine(BlobItem blob)
    {
        // yyyy/MM/dd/HHmmssfff-{guid}.json (BlobQuarantineStore.BlobNameFor)
        var name = blob.Name;
        var entryId = Path.GetFileNameWithoutExtension(name);
        DateTimeOffset? received = name.Length > 20 && DateTime.TryParseExact(name[..10] + name[11..20], "yyyy/MM/ddHHmmssfff",
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? new DateTimeOffset(at, TimeSpan.Zero) : null;
        return new QuarantineBlob(name, entryId, received, blob.Metadata.TryGetValue("replayedat", out var replayed) ? replayed : null,
            blob.Metadata.TryGetValue("eventid", out var id) ? Uri.UnescapeDataString(id) : null);
    }
}
