using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>How the loopback Key Vault misbehaves.</summary>
public enum VaultFault
{
    /// <summary>Answers like Key Vault: the auth challenge, list secrets, get secret.</summary>
    None,

    /// <summary>Nothing listens: every connection is refused.</summary>
    Refuse,

    /// <summary>Accepts the request, then drops the connection without an answer.</summary>
    Reset,

    /// <summary>Accepts the request and never answers.</summary>
    Stall,

    /// <summary>Answers 503.</summary>
    Unavailable,

    /// <summary>Answers 429 with <c>Retry-After: 30</c>, which the SDK would wait out.</summary>
    Throttled,

    /// <summary>Answers normally, but the credential gets no token (<see cref="AuthenticationFailedException"/>).</summary>
    AuthenticationFailed,

    /// <summary>Answers normally, but no credential is available (<see cref="CredentialUnavailableException"/>).</summary>
    CredentialUnavailable,
}

/// <summary>
/// Just enough of the Key Vault REST API on real Kestrel (127.0.0.1), with faults switched at run time, and a real
/// <see cref="SecretClient"/> whose transport sends the vault's https requests here as plain http. Requests are counted.
/// </summary>
public sealed class KeyVaultFaultServer : IAsyncDisposable
{
    /// <summary>The vault URI the client is given (never resolved: the transport redirects to loopback).</summary>
    public static readonly Uri VaultUri = new("https://kv-faults.vault.azure.net/");

    private readonly WebApplication _server;
    private readonly int _refusedPort = FreePort.Next(); // handed out once and never bound: connections to it are refused
    private int _requests;
    private int _port;

    private KeyVaultFaultServer(WebApplication server) => _server = server;

    /// <summary>The secrets the vault holds, by secret name.</summary>
    public ConcurrentDictionary<string, string> Secrets { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The current fault.</summary>
    public VaultFault Fault { get; set; }

    /// <summary>HTTP requests that reached the server.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts the server.</summary>
    public static async Task<KeyVaultFaultServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new KeyVaultFaultServer(builder.Build());
        server._server.Run(server.AnswerAsync);
        await server._server.StartAsync();
        server._port = new Uri(server._server.Urls.Single()).Port;
        return server;
    }

    /// <summary>
    /// A real <see cref="SecretClient"/> for this vault with the app's budget for <paramref name="options"/> applied
    /// (<see cref="OutboundBudgets.KeyVault"/>), exactly as the app builds it, but with the transport pointed here.
    /// </summary>
    public SecretClient Client(ConnectEvents.Webhooks.KeyVaultOptions options)
    {
        var client = new SecretClientOptions
        {
            Transport = new HttpClientTransport(new HttpClient(new ToLoopback(this) { InnerHandler = new SocketsHttpHandler() })),
            DisableChallengeResourceVerification = true,
        };
        return new SecretClient(VaultUri, new FaultCredential(this), OutboundBudgets.KeyVault(options, client));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        switch (Fault)
        {
            case VaultFault.Reset:
                context.Abort();
                return;
            case VaultFault.Stall:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case VaultFault.Unavailable:
                await Error(context, StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable");
                return;
            case VaultFault.Throttled:
                context.Response.Headers.RetryAfter = "30";
                await Error(context, StatusCodes.Status429TooManyRequests, "Throttled");
                return;
        }

        if (!context.Request.Headers.ContainsKey("Authorization"))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate =
                "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"";
            return;
        }

        var path = context.Request.Path.Value!.TrimEnd('/');
        var vault = VaultUri.GetLeftPart(UriPartial.Authority);
        if (path == "/secrets")
        {
            await Json(context, StatusCodes.Status200OK, new
            {
                value = Secrets.Keys.Select(name => new { id = $"{vault}/secrets/{name}", attributes = new { enabled = true } }),
                nextLink = (string?)null,
            });
            return;
        }

        var name = path["/secrets/".Length..].Split('/')[0];
        if (Secrets.TryGetValue(name, out var value))
        {
            await Json(context, StatusCodes.Status200OK, new { value, id = $"{vault}/secrets/{name}/v1", attributes = new { enabled = true } });
        }
        else
        {
            await Error(context, StatusCodes.Status404NotFound, "SecretNotFound");
        }
    }

    private static Task Error(HttpContext context, int status, string code) =>
        Json(context, status, new { error = new { code, message = code } });

    private static Task Json(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    /// <summary>Sends the vault's https requests to the loopback server as http (or to a refused port).</summary>
    private sealed class ToLoopback(KeyVaultFaultServer server) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var port = server.Fault == VaultFault.Refuse ? server._refusedPort : server._port;
            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = "http", Host = "127.0.0.1", Port = port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A token for anything, unless the fault is the credential's.</summary>
    private sealed class FaultCredential(KeyVaultFaultServer server) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => server.Fault switch
        {
            VaultFault.AuthenticationFailed => throw new AuthenticationFailedException("no token (test)"),
            VaultFault.CredentialUnavailable => throw new CredentialUnavailableException("no credential (test)"),
            // Already expiring: the SDK asks again on every request, so a credential fault switched on later is met at once.
            _ => new AccessToken("fault-server-token", DateTimeOffset.UtcNow),
        };

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
