using Azure;

namespace ConnectEvents.Storage;

/// <summary>
/// Creates a storage resource (queue, container, table) once for all concurrent callers, retries the creation after it
/// failed, and creates it again when a call finds it deleted underneath the app (an operator, or an emulator restart).
/// </summary>
internal sealed class CreateOnce(Func<CancellationToken, Task> create)
{
    private volatile Task? _creation;

    /// <summary>Completes once the resource exists; a failed or cancelled creation is not kept, so the next call tries again.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        var creation = _creation;
        if (creation is null || creation.IsFaulted || creation.IsCanceled)
        {
            // Not tied to one caller's token: a cancelled caller must not fail the creation the others wait for.
            _creation = creation = create(CancellationToken.None);
        }

        return creation.IsCompletedSuccessfully ? Task.CompletedTask : creation.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets the creation, so the next <see cref="EnsureAsync"/> creates the resource again.</summary>
    public void Reset() => _creation = null;

    /// <summary>
    /// Runs <paramref name="call"/> once the resource exists; when it fails with <paramref name="missingErrorCode"/>
    /// (the resource was deleted), creates the resource again and runs the call once more. The call gets
    /// <paramref name="state"/> so callers can pass a static lambda and allocate no closure per call.
    /// </summary>
    public async Task<T> RunAsync<TState, T>(
        Func<TState, CancellationToken, Task<T>> call, TState state, string missingErrorCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        await EnsureAsync(cancellationToken);
        try
        {
            return await call(state, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == missingErrorCode)
        {
            Reset();
            await EnsureAsync(cancellationToken);
            return await call(state, cancellationToken);
        }
    }
}
