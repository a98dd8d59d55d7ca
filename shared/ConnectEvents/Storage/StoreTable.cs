using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using ConnectEvents.Failures;

namespace ConnectEvents.Storage;

/// <summary>
/// A table that creates itself on first use (once, shared by concurrent callers), re-creates itself when it was deleted
/// underneath the app, and turns transient storage failures into <see cref="StoreUnavailableException"/>.
/// </summary>
internal sealed class StoreTable
{
    private readonly TableClient _client;
    private readonly CreateOnce _creation;

    public StoreTable(TableClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _creation = new CreateOnce(ct => _client.CreateIfNotExistsAsync(ct));
    }

    public string Name => _client.Name;

    /// <summary>Runs one storage call; on TableNotFound creates the table and runs it once more.</summary>
    public async Task<T> RunAsync<T>(Func<TableClient, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await _creation.RunAsync(
                static (s, c) => s.call(s.Client, c), (call, Client: _client), TableErrorCode.TableNotFound.ToString(), ct);
        }
        catch (Exception ex) when (IsTransient(ex, ct))
        {
            throw new StoreUnavailableException($"Table '{_client.Name}' is unavailable: {StorageFailureText.Describe(ex, _client.Uri)}", ex);
        }
    }

    /// <summary>Runs a paged query to the end, with the same creation and failure handling.</summary>
    public Task<List<T>> QueryAsync<T>(string filter, CancellationToken ct) where T : class, ITableEntity =>
        RunAsync(async (table, c) =>
        {
            var rows = new List<T>();
            await foreach (var row in table.QueryAsync<T>(filter, cancellationToken: c))
            {
                rows.Add(row);
            }

            return rows;
        }, ct);

    /// <summary>
    /// Whether a failure is worth retrying later (network failures, timeouts, throttling, server errors, a table still
    /// being deleted), as <see cref="FailureClassifier"/> decides for the whole product.
    /// </summary>
    internal static bool IsTransient(Exception ex, CancellationToken ct) => FailureClassifier.IsTransient(ex, ct);

    /// <summary>Sets a property only when it has a value: an absent property reads back as null anyway, and no null goes over the wire.</summary>
    internal static void SetIfNotNull(TableEntity entity, string name, object? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
    }
}
