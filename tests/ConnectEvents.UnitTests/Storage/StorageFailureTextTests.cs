using System.Net.Sockets;
using Azure;
using ConnectEvents.Storage;

namespace ConnectEvents.UnitTests.Storage;

/// <summary>A storage failure is told in words an operator can act on, naming only scheme, host and port.</summary>
public sealed class StorageFailureTextTests
{
    private static readonly Uri Queue = new("http://127.0.0.1:10001/devstoreaccount1/connect-events?sig=secret");

    private static RequestFailedException Refused(string hostPort) =>
        new RequestFailedException(0, "Connection refused", new HttpRequestException($"Connection refused ({hostPort})",
            new SocketException((int)SocketError.ConnectionRefused)));

    [Fact]
    public void ConnectionRefusedNamesTheEndpointAndAzurite() =>
        Assert.Equal("connection refused at http://127.0.0.1:10001: is Azurite running?",
            StorageFailureText.Describe(new AggregateException(Refused("127.0.0.1:10001"), Refused("127.0.0.1:10001")), Queue));

    [Fact]
    public void WithoutAnEndpointTheFailureItselfNamesHostAndPort() =>
        Assert.Equal("connection refused at 127.0.0.1:10002: is Azurite running?", StorageFailureText.Describe(Refused("127.0.0.1:10002")));

    [Fact]
    public void ARemoteAccountIsNotTakenForAzurite()
    {
        var text = StorageFailureText.Describe(Refused("acct.queue.core.windows.net:443"), new Uri("https://acct.queue.core.windows.net/q"));

        Assert.Equal("connection refused at https://acct.queue.core.windows.net: is the storage account reachable from here?", text);
    }

    [Fact]
    public void AnUnknownHostNamesTheSetting() =>
        Assert.Equal("host not found at https://nope.queue.core.windows.net: check the storage endpoint in AzureWebJobsStorage",
            StorageFailureText.Describe(new HttpRequestException("no such host", new SocketException((int)SocketError.HostNotFound)), new Uri("https://nope.queue.core.windows.net/q")));

    [Fact]
    public void AnAnswerKeepsItsStatusAndCode() =>
        Assert.Equal("status 403 AuthorizationFailure", StorageFailureText.Describe(new RequestFailedException(403, "no", "AuthorizationFailure", null), Queue));

    [Fact]
    public void ATimeoutSaysSo() =>
        Assert.Equal("no answer from http://127.0.0.1:10001 in time: is Azurite running?", StorageFailureText.Describe(new TaskCanceledException(), Queue));

    [Fact]
    public void TheQueryAndPathNeverAppear() =>
        Assert.DoesNotContain("secret", StorageFailureText.Describe(new RequestFailedException(0, "x", new IOException("reset")), Queue), StringComparison.Ordinal);

    [Fact]
    public void AnyOtherFailureIsNamedByItsType() =>
        Assert.Equal("InvalidOperationException", StorageFailureText.Describe(new InvalidOperationException("x"), Queue));
}
