using System.IO.Compression;
using System.Net;
using System.Text;
using Azure.Storage.Queues;
using ConnectEvents.Events;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Webhooks;

namespace ConnectEvents.IntegrationTests.Packaging;

/// <summary>The zip the Flex Consumption plan runs: its layout, and the executable in it started the way the Functions host starts it.</summary>
[Collection(DeployablePackageCollectionDefinition.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DeployablePackageTests(DeployablePackage package, AzuriteFixture azurite)
{
    [Fact]
    public void ZipHasHostJsonAtTheRootEveryFunctionFolderAndTheExecutableWithItsRunBit()
    {
        using var zip = ZipFile.OpenRead(package.ZipPath);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("host.json", names);
        var functions = Directory.GetDirectories(Path.Combine(RepositoryPaths.Root, "functions"))
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(d => Path.GetFileName(d) + "/function.json")
            .ToList();
        Assert.NotEmpty(functions);
        Assert.All(functions, f => Assert.Contains(f, names));

        var executable = zip.GetEntry(package.ExecutableName);
        Assert.True(executable is not null, $"no '{package.ExecutableName}' (host.json defaultExecutablePath) in {package.Origin}");
        var mode = (UnixFileMode)((executable.ExternalAttributes >> 16) & 0x1FF);
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"the executable's mode is {mode}");
        Assert.DoesNotContain(names, n => n.EndsWith(".pdb", StringComparison.Ordinal) || n.EndsWith(".dbg", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PackagedExecutableAnswersVerificationAndQueuesASignedEvent()
    {
        var executable = Path.Combine(package.ExtractedTo, package.ExecutableName);
        Assert.True(File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute), "extraction kept the run bit");
        var queueName = AzuriteFixture.UniqueName("pkg");
        var settings = FunctionAppProcess.BaseSettings(azurite.ConnectionString, "pkg-key", "pkg-secret");
        settings["Events__QueueName"] = queueName;
        await using var app = await FunctionAppProcess.StartExecutableAsync(executable, settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var verification = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks/connect");
        verification.Headers.TryAddWithoutValidation("X-GCS-Webhooks-Endpoint-Verification", "package-echo");
        using var echoed = await http.SendAsync(verification);
        Assert.True(echoed.StatusCode == HttpStatusCode.OK, app.Output);
        Assert.Equal("package-echo", await echoed.Content.ReadAsStringAsync());

        var body = SampleEvents.Build("payment.pending_capture", "1234", "pay-pkg", "evt-pkg");
        using var response = await http.SendAsync(Signed(body, "pkg-key", "pkg-secret"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, app.Output);
        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Assert.Equal(body, Assert.Single((await queue.PeekMessagesAsync(10)).Value).Body.ToArray());
    }

    [Fact]
    public async Task PackagedExecutableRunsTheServiceBusClientAndAnswers503WhenTheTopicIsUnreachable()
    {
        // No broker runs here: the emulator form of the connection string points the real AMQP client at a closed local
        // port, which proves the SDK is in the package and runs, and that the budget bounds its retries.
        var queueName = AzuriteFixture.UniqueName("pkg");
        var settings = FunctionAppProcess.BaseSettings(azurite.ConnectionString, "pkg-key", "pkg-secret");
        settings["Events__QueueName"] = queueName;
        settings["Events__PublishTimeout"] = "00:00:02";
        settings["ServiceBusConnection"] = $"Endpoint=sb://127.0.0.1:{FreePort.Next()};SharedAccessKeyName=send;SharedAccessKey=cGtnLWtleQ==;UseDevelopmentEmulator=true";
        await using var app = await FunctionAppProcess.StartExecutableAsync(Path.Combine(package.ExtractedTo, package.ExecutableName), settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var body = SampleEvents.Build("token.created", "1234", "tok-1", "evt-pkg-sb");
        using var response = await http.SendAsync(Signed(body, "pkg-key", "pkg-secret"));

        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, app.Output);
        Assert.Contains("Service Bus topic 'connect-events'", app.Output, StringComparison.Ordinal);
        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Assert.Equal(body, Assert.Single((await queue.PeekMessagesAsync(10)).Value).Body.ToArray());
    }

    private static HttpRequestMessage Signed(byte[] body, string keyId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(secret)));
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", keyId);
        return request;
    }
}
