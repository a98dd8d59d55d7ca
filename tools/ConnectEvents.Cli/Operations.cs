using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Diagnostics;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using ConnectEvents.Platform3;
using ConnectEvents.Storage;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Cli;

/// <summary>A platform's poison queue and the processing queue its messages go back to.</summary>
internal sealed record PoisonSource(string Platform, QueueClient Poison, QueueClient Target);

/// <summary>
/// A message in a poison queue, with the processed-event key it is about when its body is readable: a Connect event's id,
/// or the v3 payment key of a notification.
/// </summary>
internal sealed record PoisonMessage(string MessageId, DateTimeOffset? InsertedOn, long DequeueCount, ReadOnlyMemory<byte> Body, ConnectEventEnvelope? Envelope, PoisonSource Source)
{
    public string? PopReceipt { get; init; }

    /// <summary>The trace context the message carried (before its exact bytes, see <see cref="QueueTraceHeader"/>), when it had one.</summary>
    public QueueTraceHeader? Trace { get; init; }

    /// <summary>The record key (v3: <c>v3:merchant:reference</c>) when the body says it.</summary>
    public string? RecordKey { get; init; }

    /// <summary>The event id or record key, or the message id when the body is neither a Connect event nor a v3 notification.</summary>
    public string EventId => Envelope?.Id ?? RecordKey ?? MessageId;
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

    /// <summary>How long a message the replay received but leaves stays hidden, unless given: long enough for a run over a few thousand messages.</summary>
    public static readonly TimeSpan DefaultScanVisibility = TimeSpan.FromMinutes(10);

    private const int PeekLimit = 32;

    // A --since further back than this lists the whole quarantine container rather than one listing per day.
    private const int MaxListedDays = 400;

    // A pass is what one progress line reports: the run prints where it is at least every this many messages.
    private const int PassSize = 500;

    // Batches in a row that bring only messages seen already (back from their visibility) before a run that has seen
    // fewer messages than the queue reported at the start stops anyway: the count is approximate.
    private const int MaxStaleBatches = 8;

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
        Queue = clients.Queue(settings.QueueName, PatientQueueOptions());
        Sender = new QueueSender(Queue);
        PoisonSources =
        [
            new PoisonSource("connect", clients.Queue(settings.QueueName + PoisonSuffix, PatientQueueOptions()), Queue),
            new PoisonSource("v3", clients.Queue(settings.Platform3QueueName + PoisonSuffix, PatientQueueOptions()), clients.Queue(settings.Platform3QueueName, PatientQueueOptions())),
        ];
        _container = clients.BlobContainer(settings.QuarantineContainer);
        Quarantine = new BlobQuarantineStore(_container);
    }

    public CliSettings Settings { get; }

    public CliEnvironment Env { get; }

    public TableProcessedEventStore Store { get; }

    public QueueClient Queue { get; }

    /// <summary>Every platform's poison queue (Connect's, then v3's); a queue that does not exist reads as empty.</summary>
    public IReadOnlyList<PoisonSource> PoisonSources { get; }

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

    /// <summary>Up to 32 messages of each poison queue, peeked (left in place), and how many the queues hold.</summary>
    public async Task<(List<PoisonMessage> Messages, int Total)> PeekPoisonAsync()
    {
        var messages = new List<PoisonMessage>();
        var total = 0;
        foreach (var source in PoisonSources)
        {
            var (peeked, count) = await QueueAsync(source.Poison, async ct =>
            {
                try
                {
                    var count = (await source.Poison.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
                    var peeked = (await source.Poison.PeekMessagesAsync(PeekLimit, ct)).Value;
                    return (peeked.Select(m => ToPoison(source, m.MessageId, m.InsertedOn, m.DequeueCount, m.Body)).ToList(), count);
                }
                catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
                {
                    return ([], 0);
                }
            });
            messages.AddRange(peeked);
            total += count;
        }

        return (messages, total);
    }

    /// <summary>
    /// Goes once through every poison queue (received, so past the 32 a peek shows) and hands each message that
    /// <paramref name="select"/> picks to <paramref name="move"/>, once, and at most one message per event, then to
    /// <paramref name="report"/> with what <paramref name="move"/> returned. The others stay hidden for
    /// <paramref name="visibility"/> so the run does not see them again, and are made visible at the end.
    /// </summary>
    /// <remarks>
    /// The run ends on its own however long it takes: a message that comes back because its visibility ran out is
    /// recognised by its id and not handled again; a message of an event the run already replayed (it failed again and
    /// was poisoned anew) is left for the next run; and once batches bring nothing the run has not seen, it has been
    /// through the queue. A stale receipt (a message that came back and was taken by someone else) is not an error: the
    /// message is visible again anyway. The moves of one received batch run at once (each is a few storage round trips,
    /// so one at a time left a run over thousands of messages waiting on latency); the reports follow one at a time, in
    /// the batch's order.
    /// </remarks>
    public async Task<int> ScanPoisonAsync(Func<PoisonMessage, bool> select, Func<PoisonMessage, Task<bool>> move, Func<PoisonMessage, bool, Task> report, TimeSpan visibility)
    {
        var handled = 0;
        foreach (var source in PoisonSources)
        {
            handled += await QueueAsync(source.Poison, ct => ScanAsync(source, select, move, report, visibility, ct));
        }

        return handled;
    }

    /// <summary>
    /// Puts an event's exact bytes, unparsed, on <paramref name="target"/>, where the queue trigger claims it like any
    /// delivery; its processing is a trace of its own, linked to <paramref name="original"/> (the attempt it replays) when known.
    /// </summary>
    public Task SendAsync(QueueClient target, ReadOnlyMemory<byte> body, ActivityContext? original) => QueueAsync(target, async ct =>
    {
        await (target == Queue ? Sender : new QueueSender(target)).SendReceiptedAsync(body, null, QueueTraceMode.Link, original, ct);
        return true;
    });

    /// <summary>Deletes a poison message the run received; false when it was already gone or its receipt is stale.</summary>
    public Task<bool> DeletePoisonAsync(PoisonMessage m) => QueueAsync(m.Source.Poison, async ct =>
    {
        try
        {
            await m.Source.Poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    });

    /// <summary>Puts an event's exact bytes, unparsed, on the processing queue, where the queue trigger claims it like any delivery.</summary>
    public Task EnqueueAsync(ReadOnlyMemory<byte> body, ActivityContext? original) => SendAsync(Queue, body, original);

    /// <summary>
    /// The quarantine entries, oldest first, received at or after <paramref name="since"/>: blob names begin with the day
    /// received, so only the days from <paramref name="since"/>'s are listed (the whole container when null or years back).
    /// </summary>
    public Task<List<QuarantineBlob>> ListQuarantineAsync(DateTimeOffset? since) => BlobAsync(async ct =>
    {
        var entries = new List<QuarantineBlob>();
        try
        {
            foreach (var prefix in QuarantineDays(since, DateTimeOffset.UtcNow))
            {
                await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix }, ct))
                {
                    var entry = ToQuarantine(blob);
                    if (since is null || (entry.ReceivedAt ?? blob.Properties.CreatedOn) >= since)
                    {
                        entries.Add(entry);
                    }
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

    /// <summary>Runs <paramref name="move"/> for every message at once, then reports each in order; the first failure is thrown after the others are reported.</summary>
    private static async Task<int> MoveAsync(List<PoisonMessage> picked, Func<PoisonMessage, Task<bool>> move, Func<PoisonMessage, bool, Task> report)
    {
        var moves = picked.Select(move).ToList();
        await ((Task)Task.WhenAll(moves)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Exception? failure = null;
        var moved = 0;
        for (var i = 0; i < picked.Count; i++)
        {
            if (moves[i].IsCompletedSuccessfully)
            {
                await report(picked[i], moves[i].Result);
                moved++;
            }
            else
            {
                failure ??= moves[i].Exception?.InnerException ?? new OperationCanceledException();
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return moved;
    }

    private async Task<int> ScanAsync(PoisonSource source, Func<PoisonMessage, bool> select, Func<PoisonMessage, Task<bool>> move, Func<PoisonMessage, bool, Task> report, TimeSpan visibility, CancellationToken ct)
    {
        Response<QueueProperties> properties;
        try
        {
            properties = await source.Poison.GetPropertiesAsync(ct);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            return 0;
        }

        var about = properties.Value.ApproximateMessagesCount;
        var left = new Dictionary<string, string>(StringComparer.Ordinal); // message id -> latest pop receipt
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var replayed = new HashSet<string>(StringComparer.Ordinal); // event ids (record keys) this run handled
        int handled = 0, arrived = 0, pass = 0, stale = 0;
        try
        {
            for (var done = false; !done;)
            {
                pass++;
                var inPass = 0;
                while (inPass < PassSize)
                {
                    var batch = (await source.Poison.ReceiveMessagesAsync(PeekLimit, visibility, ct)).Value;
                    var unseen = 0;
                    var picked = new List<PoisonMessage>(batch.Length);
                    foreach (var m in batch)
                    {
                        if (!seen.Add(m.MessageId))
                        {
                            left[m.MessageId] = m.PopReceipt; // back because its visibility ran out: looked at already
                            continue;
                        }

                        var message = ToPoison(source, m.MessageId, m.InsertedOn, m.DequeueCount, m.Body) with { PopReceipt = m.PopReceipt };
                        // An event this run already replayed, back as a new message (it failed again), or a second copy of
                        // it: one replay per event and run; the next run takes it.
                        if (replayed.Contains(message.EventId))
                        {
                            arrived++;
                            left[m.MessageId] = m.PopReceipt;
                            continue;
                        }

                        unseen++;
                        if (select(message))
                        {
                            picked.Add(message);
                            replayed.Add(message.EventId);
                        }
                        else
                        {
                            left[m.MessageId] = m.PopReceipt;
                        }
                    }

                    handled += await MoveAsync(picked, move, report);

                    inPass += batch.Length;
                    stale = unseen == 0 ? stale + 1 : 0;
                    // Through the queue: nothing left, or only messages seen already once as many as were there have been
                    // seen (messages that came back may be handed out before ones never seen; a few such batches are waited out).
                    if (batch.Length == 0 || (unseen == 0 && (seen.Count - arrived >= about || stale >= MaxStaleBatches)))
                    {
                        done = true;
                        break;
                    }
                }

                await Env.Error.WriteLineAsync($"{source.Poison.Name}: pass {pass}: {seen.Count - arrived} of about {about} looked at, {handled} replayed");
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            return handled;
        }
        finally
        {
            foreach (var (id, receipt) in left)
            {
                try
                {
                    await source.Poison.UpdateMessageAsync(id, receipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 400)
                {
                    // A stale receipt: the message came back and someone else received it, or it is gone; visible either way.
                }
            }
        }

        if (arrived > 0)
        {
            await Env.Error.WriteLineAsync($"{source.Poison.Name}: {arrived} message(s) of events this run had replayed already (failed again, or a second copy) were left for the next run");
        }

        return handled;
    }

    /// <summary>
    /// The app's queue options (base64), with a budget for a run over thousands of messages rather than for a webhook
    /// answer: a storage account (or Azurite) that is slow for a few seconds mid-run must not end the run half-way.
    /// </summary>
    private static QueueClientOptions PatientQueueOptions()
    {
        var options = StorageClients.DefaultQueueOptions();
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    private static PoisonMessage ToPoison(PoisonSource source, string id, DateTimeOffset? inserted, long dequeueCount, BinaryData body)
    {
        // The exact bytes after the trace line, if the message has one: what the processor would have got.
        var trace = QueueTraceHeader.Read(body.ToMemory(), out var bytes);
        var parsed = ConnectEventEnvelope.Parse(bytes.Span);
        var notification = parsed.Envelope is null ? NotificationMessage.Decode(bytes, out _) : null;
        return new PoisonMessage(id, inserted, dequeueCount, bytes, parsed.Envelope, source)
        {
            Trace = trace,
            RecordKey = notification is null ? null : NotificationPipeline.ClaimKey(notification.MerchantId, notification.Reference),
        };
    }

    /// <summary>The blob name prefixes to list: each UTC day from <paramref name="since"/>'s to today's (<c>yyyy/MM/dd/</c>), or one null (everything).</summary>
    private static IEnumerable<string?> QuarantineDays(DateTimeOffset? since, DateTimeOffset now)
    {
        if (since is not { } from || (now - from).TotalDays > MaxListedDays)
        {
            return [null];
        }

        var first = DateOnly.FromDateTime(from.UtcDateTime);
        var last = DateOnly.FromDateTime(now.UtcDateTime);
        return Enumerable.Range(0, Math.Max(0, last.DayNumber - first.DayNumber + 1))
            .Select(i => first.AddDays(i).ToString("yyyy/MM/dd/", CultureInfo.InvariantCulture));
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
