using Azure;
using Azure.Identity;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;

namespace ConnectEvents.Cli;

/// <summary>
/// Turns a storage failure into one line an operator can act on: which service and setting (the CLI's part), what
/// happened where (<see cref="StorageFailureText"/>, the same words the app logs), and for a refusal what to fix.
/// </summary>
internal static class StorageErrors
{
    /// <summary>The failure as a <see cref="CliFailureException"/>, or null when it is not a storage or network failure (a bug: let it surface).</summary>
    public static CliFailureException? Describe(Exception ex, string service, Uri endpoint, string setting, bool connectionString)
    {
        if (!Flatten(ex).Any(e => e is RequestFailedException or StoreUnavailableException or EventPublishException or HttpRequestException or IOException
                or TimeoutException or OperationCanceledException or AuthenticationFailedException))
        {
            return null;
        }

        var refused = Flatten(ex).OfType<RequestFailedException>().Any(r => r.Status is 401 or 403);
        var hint = !refused ? "" : connectionString ? " — check the account key" : $" — give your identity the Storage {Role(service)} Data Contributor role";
        return new CliFailureException($"{service} storage ({setting}): {StorageFailureText.Describe(ex, endpoint)}{hint}");
    }

    private static IEnumerable<Exception> Flatten(Exception ex)
    {
        yield return ex;
        var inner = ex is AggregateException a ? a.InnerExceptions : ex.InnerException is { } i ? [i] : (IEnumerable<Exception>)[];
        foreach (var next in inner.SelectMany(Flatten))
        {
            yield return next;
        }
    }

    private static string Role(string service) => service switch
    {
        "queue" => "Queue",
        "table" => "Table",
        _ => "Blob",
    };
}
