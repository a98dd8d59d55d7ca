using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.IntegrationTests.Operations;

/// <summary><c>connect-events</c> usage and storage errors: a clear line naming the setting and an exit code, never a stack trace or a secret.</summary>
public sealed class CliErrorTests
{
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public async Task StorageThatIsNotThereIsNamedWithItsSettingAndEndpoint()
    {
        var port = FreePort.Next();
        var storage = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};" +
            $"QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var cli = new CliRunner(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage });

        foreach (var (args, service) in new[] { (new[] { "list", "--failed" }, "table"), (["list", "--poison"], "queue"), (["list", "--quarantined"], "blob") })
        {
            var run = await cli.RunAsync(args);

            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Contains($"{service} storage (AzureWebJobsStorage): connection refused at http://127.0.0.1:{port}: is Azurite running?", run.Error, StringComparison.Ordinal);
            AssertNoStackTraceOrKey(run);
        }
    }

    [Theory]
    [InlineData("AccountName=devstoreaccount1;AccountKey={0};Bogus")]
    [InlineData("AccountName=devstoreaccount1;{1}")] // a key pasted without its keyword: the SDK's message would quote it
    [InlineData("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=not base64!")]
    public async Task AnUnparsableConnectionStringIsNamedWithoutQuotingIt(string format)
    {
        var storage = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, AzuriteKey, AzuriteKey.TrimEnd('='));
        var cli = new CliRunner(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage });

        var run = await cli.RunAsync("status", "evt-1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("AzureWebJobsStorage is not a valid storage connection string", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteKey.TrimEnd('='), run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("base64!", run.Error, StringComparison.Ordinal);
        AssertNoStackTraceOrKey(run);
    }

    [Fact]
    public async Task AMissingConnectionNamesTheSettingsAndStorageFlagOverridesTheEnvironment()
    {
        var missing = await new CliRunner(new Dictionary<string, string?>()).RunAsync("list", "--failed");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("AzureWebJobsStorage", missing.Error, StringComparison.Ordinal);

        var port = FreePort.Next();
        var flag = await new CliRunner(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" })
            .RunAsync("list", "--failed", "--storage", $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;");
        Assert.Contains($"(AzureWebJobsStorage from --storage): connection refused at http://127.0.0.1:{port}", flag.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalSettingsValuesAreReadLikeTheFunctionsHostAndTheEnvironmentOverridesThem()
    {
        var port = FreePort.Next();
        var json = $$"""
            { "IsEncrypted": false, "Values": {
                "AzureWebJobsStorage": "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={{AzuriteKey}};TableEndpoint=http://127.0.0.1:{{port}}/devstoreaccount1;",
                "Processing__Store__TableName": "fromlocalsettings" } }
            """;

        var fromFile = await new CliRunner(new Dictionary<string, string?>(), json).RunAsync("list", "--failed");
        var overridden = await new CliRunner(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "not a connection string" }, json).RunAsync("list", "--failed");

        Assert.Contains($"(AzureWebJobsStorage in local.settings.json): connection refused at http://127.0.0.1:{port}", fromFile.Error, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage is not a valid storage connection string", overridden.Error, StringComparison.Ordinal);
        AssertNoStackTraceOrKey(fromFile);
    }

    [Theory]
    [InlineData(2, new string[0])]
    [InlineData(2, new[] { "frobnicate" })]
    [InlineData(2, new[] { "list" })]
    [InlineData(2, new[] { "list", "--failed", "--poison" })]
    [InlineData(2, new[] { "list", "--failed", "--since", "yesterday-ish" })]
    [InlineData(2, new[] { "replay" })]
    [InlineData(2, new[] { "replay", "evt-1", "--failed" })]
    [InlineData(2, new[] { "status", "--bogus" })]
    [InlineData(2, new[] { "send", "--url", "http://127.0.0.1:9/" })]
    [InlineData(0, new[] { "--help" })]
    [InlineData(0, new[] { "replay", "--help" })]
    [InlineData(0, new[] { "send", "--key-id", "k", "--secret", "s", "--dry-run" })]
    public async Task ExitCodesSayOkFailureOrUsage(int expected, string[] args)
    {
        var run = await new CliRunner(new Dictionary<string, string?>()).RunAsync(args);

        Assert.True(run.ExitCode == expected, run.ToString());
        Assert.Contains(expected == 0 ? "" : "usage: connect-events", expected == 0 ? run.Out : run.Error, StringComparison.Ordinal);
        AssertNoStackTraceOrKey(run);
    }

    // An option value goes into a request header (send's X-GCS-KeyId) written without validation: a CR/LF there would put
    // a header of the caller's choosing on the wire. The listener proves nothing was sent; the message names the option only.
    [Theory]
    [InlineData("send", "--key-id", "k\r\nX-Injected: yes")]
    [InlineData("send", "--secret", "s3cr3t-value\n")]
    [InlineData("send", "--event-id", "evt-1\0")]
    [InlineData("send-v3", "--key-id", "k\r\nX-Injected: yes")]
    [InlineData("status", "--payment", "pay-1\r\nX-Injected: yes")]
    public async Task AnOptionValueWithAControlCharacterIsAUsageErrorNamingTheOptionAndNothingIsSent(string command, string option, string value)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/api/webhooks/connect";
        string[] args = command == "status"
            ? [command, option, value]
            : [command, "--url", url, "--key-id", "k", "--secret", "s", "--reference", "r", option, value];

        var run = await new CliRunner(new Dictionary<string, string?>()).RunAsync(args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"{option} must not contain control characters", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(value.TrimEnd('\r', '\n', '\0'), run.Out + run.Error, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "a connection reached the listener");
    }

    [Fact]
    public async Task AnInlineOptionValueWithALineBreakIsNamedByItsOption()
    {
        var run = await new CliRunner(new Dictionary<string, string?>()).RunAsync("send", "--key-id=k\r\nX-Injected: yes", "--secret", "s", "--dry-run");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--key-id must not contain control characters", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Injected", run.Out + run.Error, StringComparison.Ordinal);
    }

    private static void AssertNoStackTraceOrKey(CliRun run)
    {
        Assert.DoesNotContain("   at ", run.Out + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteKey, run.Out + run.Error, StringComparison.Ordinal);
    }
}
