using Azure;

namespace ConnectEvents.Storage;

/// <summary>How storage failures are told apart and described, alike for queues, blobs and tables.</summary>
internal static class StorageFailures
{
    /// <summary>A failure of the storage service or of the way to it (not a bug in the caller).</summary>
    public static bool IsStorageFailure(Exception ex) =>
        ex is RequestFailedException or HttpRequestException or IOException or AggregateException;

    /// <summary>Storage refused the app's identity or key (401/403): retrying cannot help until an operator fixes it.</summary>
    public static bool IsAccessDenied(Exception ex) => ex is RequestFailedException { Status: 401 or 403 };

    /// <summary>A short, secret-free description (see <see cref="StorageFailureText"/>): <c>status 503 ServerBusy</c>, <c>connection refused at …</c>.</summary>
    public static string Describe(Exception ex) => StorageFailureText.Describe(ex);
}
