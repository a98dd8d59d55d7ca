using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ConnectEvents.Retention;
using ConnectEvents.Storage;

namespace ConnectEvents.Messaging;

/// <summary>
/// Keeps quarantined events as JSON blobs named <c>yyyy/MM/dd/{id}.json</c> in one container, so they can be listed by
/// day and replayed with their exact bytes (a blob holds the 1 MiB bodies a queue message or table entity cannot).
/// </summary>
public sealed class BlobQuarantineStore : IQuarantineStore
{
    private readonly BlobContainerClient _container;
    private readonly CreateOnce _creation;
    private readonly TimeSpan? _budget;
    private readonly TimeProvider _time;

    /// <summary>
    /// Creates the store; the container is created on first use if missing. With a <paramref name="budget"/>, one store
    /// (container creation and retries included) gives up after it, as a publish does, so the webhook answers in time.
    /// </summary>
    public BlobQuarantineStore(BlobContainerClient container, TimeSpan? budget = null, TimeProvider? time = null)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _creation = new CreateOnce(ct => _container.CreateIfNotExistsAsync(cancellationToken: ct));
        _budget = budget;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The blob name of an entry.</summary>
    public static string BlobNameFor(QuarantinedEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return $"{entry.ReceivedAt.UtcDateTime:yyyy/MM/dd}/{entry.Id}.json";
    }

    /// <inheritdoc />
    public async Task StoreAsync(QuarantinedEvent entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var json = JsonSerializer.SerializeToUtf8Bytes(entry, QuarantineJsonContext.Default.QuarantinedEvent);
        using var budget = new CancellationTokenSource(_budget ?? Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            await _creation.RunAsync(
                static (s, ct) => s.Store.UploadAsync(s.entry, s.json, ct), (Store: this, entry, json), BlobErrorCode.ContainerNotFound.ToString(), linked.Token);
        }
        catch (Exception ex) when (StorageFailures.IsStorageFailure(ex))
        {
            throw EventPublishException.FromStorage($"Quarantine container '{_container.Name}'", ex, _container.Uri);
        }
        catch (OperationCanceledException ex) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Storage that stops answering (no refusal, no error) would otherwise hold the webhook for every retry's network timeout.
            throw new EventPublishException($"Quarantine container '{_container.Name}' did not take the event within the {_budget!.Value.TotalSeconds:0.###} s budget (Events__PublishTimeout).", ex);
        }
    }

    private Task<Azure.Response<BlobContentInfo>> UploadAsync(QuarantinedEvent entry, byte[] json, CancellationToken cancellationToken) =>
        _container.GetBlobClient(BlobNameFor(entry)).UploadAsync(
            BinaryData.FromBytes(json),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
            cancellationToken);

    /// <summary>
    /// Deletes the entries of the days <paramref name="rule"/> says have expired, at most <paramref name="limit"/> of them.
    /// Blob names start with the day received, so the listing comes oldest first and stops at the first day still kept;
    /// each delete is conditional on the ETag listed, and one that is gone or changed (another run) is skipped.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage refused the listing or a delete for another reason than those.</exception>
    public async Task<RetentionReport> ExpireAsync(RetentionRule rule, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        int deleted = 0, skipped = 0;
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(cancellationToken: cancellationToken))
            {
                if (!DateOnly.TryParseExact(blob.Name.Length >= 10 ? blob.Name[..10] : blob.Name, "yyyy/MM/dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
                {
                    continue; // not an entry this store wrote: never deleted
                }

                if (!rule.QuarantineDayExpired(day))
                {
                    break;
                }

                if (deleted + skipped >= limit)
                {
                    return new RetentionReport(0, 0, deleted, skipped, Complete: false);
                }

                try
                {
                    await _container.DeleteBlobAsync(blob.Name, DeleteSnapshotsOption.IncludeSnapshots,
                        new BlobRequestConditions { IfMatch = blob.Properties.ETag }, cancellationToken);
                    deleted++;
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                {
                    skipped++;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // Nothing was ever quarantined.
        }

        return new RetentionReport(0, 0, deleted, skipped, Complete: true);
    }

    /// <summary>Reads one entry back (for operators and replay).</summary>
    public async Task<QuarantinedEvent?> ReadAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await _container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            return JsonSerializer.Deserialize(content.Value.Content.ToMemory().Span, QuarantineJsonContext.Default.QuarantinedEvent);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
