using System.Net;
using System.Net.Sockets;
using Azure;
using Azure.Identity;
using ConnectEvents.Messaging;
using ConnectEvents.Storage;

namespace ConnectEvents.Cli;

/// <summary>Turns a storage failure into one line an operator can act on: which service, which endpoint, which setting, what to do.</summary>
internal static class StorageErrors
{
    /// <summary>The failure as a <see cref="CliFailureException"/>, or null when it is not a storage or network failure (a bug: let it surface).</summary>
    public static CliFailureException? Describe(Exception ex, string service, Uri endpoint, string setting, bool connectionString)
    {
        var chain = Flatten(ex).ToList();
        var origin = endpoint.GetLeftPart(UriPartial.Authority);
        var where = $"{service} storage at {origin} ({setting})";
        if (chain.OfType<SocketException>().FirstOrDefault() is { } socket)
        {
            var what = socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused" + (IsLocal(endpoint) ? " — is Azurite running?" : ""),
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found — check the account name or service URI",
                SocketError.TimedOut => "no answer in time",
                var other => other.ToString(),
            };
            return new CliFailureException($"cannot reach {where}: {what}");
        }

        if (chain.OfType<CredentialUnavailableException>().Any())
        {
            return new CliFailureException($"no Azure credential for {where}: sign in with 'az login' (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET) for DefaultAzureCredential");
        }

        if (chain.OfType<AuthenticationFailedException>().FirstOrDefault() is { } auth)
        {
            return new CliFailureException($"Azure sign-in failed for {where}: {FirstLine(auth.Message)}");
        }

        if (chain.OfType<RequestFailedException>().FirstOrDefault(r => r.Status != 0) is { } failed)
        {
            var hint = failed.Status is 401 or 403
                ? connectionString ? " — check the account key" : $" — give your identity the Storage {Role(service)} Data Contributor role"
                : "";
            return new CliFailureException($"{where} answered {failed.Status} {failed.ErrorCode}{hint}".TrimEnd());
        }

        if (chain.Any(e => e is HttpRequestException or IOException or TimeoutException or OperationCanceledException))
        {
            return new CliFailureException($"cannot reach {where}: {FirstLine(chain.OfType<HttpRequestException>().FirstOrDefault()?.Message ?? "no answer in time")}");
        }

        return chain.Any(e => e is RequestFailedException or StoreUnavailableException or EventPublishException)
            ? new CliFailureException($"cannot use {where}: {FirstLine(ex.Message)}")
            : null;
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

    private static bool IsLocal(Uri endpoint) =>
        endpoint.IsLoopback || (IPAddress.TryParse(endpoint.Host, out var ip) && IPAddress.IsLoopback(ip));

    private static string Role(string service) => service switch
    {
        "queue" => "Queue",
        "table" => "Table",
        _ => "Blob",
    };

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
