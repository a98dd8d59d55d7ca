using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Azure;

namespace ConnectEvents.Storage;

/// <summary>
/// Says what a storage failure was in words an operator can act on: "connection refused at http://127.0.0.1:10001: is
/// Azurite running?" rather than "status 0". Only the scheme, host and port of the endpoint are named (never a path,
/// query or key), so the text is safe for logs and answers.
/// </summary>
public static partial class StorageFailureText
{
    /// <summary>Describes <paramref name="failure"/>; <paramref name="endpoint"/> (the client's URI) names where the call went.</summary>
    /// <param name="failure">The exception a storage call threw (possibly an <see cref="AggregateException"/> of retries).</param>
    /// <param name="endpoint">The storage client's URI; only its scheme, host and port are used. Null when unknown.</param>
    public static string Describe(Exception failure, Uri? endpoint = null)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var last = Last(failure);
        switch (last)
        {
            case RequestFailedException { Status: > 0 } answered:
                return $"status {answered.Status} {answered.ErrorCode}".TrimEnd();
            case Azure.Identity.CredentialUnavailableException:
                return "no Azure credential: sign in with 'az login' (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or give the app a managed identity)";
            case Azure.Identity.AuthenticationFailedException signIn:
                return $"Azure sign-in failed: {signIn.Message.Split('\n', 2)[0].Trim()}";
        }

        var where = Where(last, endpoint);
        var hint = IsLocal(where) ? "is Azurite running?" : "is the storage account reachable from here?";
        return Socket(last)?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => $"connection refused at {where}: {hint}",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"host not found at {where}: check the storage endpoint in {StorageClients.ConnectionName}",
            SocketError.TimedOut => $"no answer from {where} in time: {hint}",
            SocketError.ConnectionReset or SocketError.ConnectionAborted => $"connection dropped by {where}",
            { } other => $"network error {other} at {where}: {hint}",
            null when last is TaskCanceledException or TimeoutException => $"no answer from {where} in time: {hint}",
            null when last is RequestFailedException or HttpRequestException or IOException => $"no answer from {where} ({Innermost(last).GetType().Name}): {hint}",
            null => last.GetType().Name,
        };
    }

    /// <summary>
    /// The failure to describe: the last of a retry aggregate (the one the caller gave up on), what our own wrappers
    /// (<see cref="StoreUnavailableException"/>, a publish failure) wrap, else the failure itself.
    /// </summary>
    private static Exception Last(Exception failure) => failure switch
    {
        AggregateException { InnerExceptions.Count: > 0 } aggregate => Last(aggregate.InnerExceptions[^1]),
        StoreUnavailableException { InnerException: { } inner } => Last(inner),
        Messaging.EventPublishException { InnerException: { } inner } => Last(inner),
        _ => failure,
    };

    private static SocketException? Socket(Exception failure)
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception failure)
    {
        var e = failure;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    /// <summary>scheme://host:port of the endpoint; else the "(host:port)" .NET puts at the end of a connect failure's message.</summary>
    private static string Where(Exception failure, Uri? endpoint)
    {
        if (endpoint is { IsAbsoluteUri: true })
        {
            return endpoint.GetLeftPart(UriPartial.Authority);
        }

        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException && HostPort().Match(e.Message) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }

        return "the storage endpoint";
    }

    private static bool IsLocal(string where)
    {
        var host = Uri.TryCreate(where.Contains("://", StringComparison.Ordinal) ? where : "tcp://" + where, UriKind.Absolute, out var uri) ? uri.Host : where;
        return host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    [GeneratedRegex(@"\(([^()\s]+:\d+)\)\s*$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex HostPort();
}
