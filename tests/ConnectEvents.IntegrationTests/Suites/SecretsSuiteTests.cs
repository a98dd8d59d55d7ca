using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Connect.Simulator;
using ConnectEvents.Events;
using ConnectEvents.Idempotence;
using ConnectEvents.IntegrationTests.Infrastructure;
using ConnectEvents.Storage;
using ConnectEvents.Webhooks;
using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// Secrets suite: a full run of the dev host process at Trace with request logging on (webhooks accepted and refused,
/// processing with capture and tokenization, sessions and operator calls with keys in the query and in headers); its
/// whole output, and every span it exported over OTLP (names, attributes, events, links, status), is then scanned for
/// webhook secrets, the Connect API secret, function keys and card numbers.
/// </summary>
public sealed partial class SecretsSuiteTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Merchant = "1234";
    private const string WebhookKeyId = "secrets-key";
    private const string WebhookSecret = "whsec-4f0d1c7a9e2b";
    private const string OldWebhookSecret = "whsec-old-88a1b3c5d7";
    private const string ApiKeyId = "secrets-api-key";
    private const string ApiSecret = "apisec-6b2e9f10c3d4";
    private const string FunctionKey = "fnkey-a7c3e5f1b9d2";
    private const string MasterKey = "masterkey-0e4c8a2f6b1d";
    private const string Card = "4567350000427977";

    [Fact]
    public async Task ATraceLevelRunWithRequestLoggingLeaksNoSecretKeyOrCardNumber()
    {
        var options = new SimulatorOptions();
        options.Keys[ApiKeyId] = ApiSecret;
        await using var simulator = await SimulatorHost.StartAsync(options);
        await using var otlp = await OtlpReceiver.StartAsync();
        simulator.State.SeedPayment(Merchant, "pay-sec-1", cardNumber: Card, merchantReference: "cust-sec");
        simulator.State.SeedPayment(Merchant, "pay-sec-2", status: "PAID", cardNumber: Card, merchantReference: "cust-sec");

        var table = "pe" + Guid.NewGuid().ToString("N")[..16];
        var settings = DevHostProcess.BaseSettings(azurite.ConnectionString, WebhookKeyId, WebhookSecret);
        settings["Webhooks__SecretKeys__1__KeyId"] = "secrets-key-old";
        settings["Webhooks__SecretKeys__1__Secret"] = OldWebhookSecret;
        settings["Events__QueueName"] = AzuriteFixture.UniqueName("secrets");
        settings["Processing__Store__TableName"] = table;
        settings["TokenVault__TableName"] = "tv" + Guid.NewGuid().ToString("N")[..16];
        settings["Processing__Tokenize__Enabled"] = "true";
        settings["Connect__Endpoint"] = simulator.BaseAddress.ToString();
        settings["Connect__ApiKeyId"] = ApiKeyId;
        settings["Connect__SecretApiKey"] = ApiSecret;
        settings["Connect__MerchantId"] = Merchant;
        settings["Connect__LogRequests"] = "true";
        settings["DevHost__FunctionKey"] = FunctionKey;
        settings["DevHost__MasterKey"] = MasterKey;
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.100";
        settings["Logging__LogLevel__Default"] = "Trace";
        settings["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace";
        settings["Logging__LogLevel__Microsoft.AspNetCore.HttpLogging"] = "Trace";
        settings["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace";
        settings["Logging__LogLevel__Azure.Core"] = "Trace";
        settings["Logging__LogLevel__System.Net.Http.HttpClient"] = "Trace";
        foreach (var (key, value) in otlp.Settings())
        {
            settings[key] = value;
        }

        await using var app = await DevHostProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        // Webhooks: accepted (both keys), mis-signed, unknown key id.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, SampleEvents.Build("payment.pending_capture", Merchant, "pay-sec-1", "evt-sec-1"), WebhookKeyId, WebhookSecret));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, SampleEvents.Build("payment.paid", Merchant, "pay-sec-2", "evt-sec-2"), "secrets-key-old", OldWebhookSecret));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, SampleEvents.Build("payment.paid", Merchant, "pay-sec-2", "evt-sec-3"), WebhookKeyId, "wrong-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, SampleEvents.Build("payment.paid", Merchant, "pay-sec-2", "evt-sec-4"), "no-such-key", WebhookSecret));

        var store = new TableProcessedEventStore(new TableClient(azurite.ConnectionString, table), TimeProvider.System);
        await WaitUntilAsync(async () => await CompletedAsync(store, "evt-sec-1") && await CompletedAsync(store, "evt-sec-2"), app);

        // Sessions with the function key in the query, operator calls with the master key in the query and in a header.
        using var session = await http.PostAsync($"/api/sessions?code={FunctionKey}", new StringContent("""{"customerReference":"cust-sec"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        using var tokens = await http.GetAsync($"/api/customers/cust-sec/tokens?code={MasterKey}");
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        using var headerCall = new HttpRequestMessage(HttpMethod.Get, "/api/customers/cust-sec/tokens");
        headerCall.Headers.Add("x-functions-key", MasterKey);
        using var tokensAgain = await http.SendAsync(headerCall);
        Assert.Equal(HttpStatusCode.OK, tokensAgain.StatusCode);
        using var wrongKey = await http.PostAsync($"/api/sessions?code={FunctionKey}x", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);

        // The spans of the last calls (the operator's, with keys) arrive within a batch or two.
        await otlp.WaitForAsync(spans => spans.Any(x => x.Name.Contains("api/customers", StringComparison.Ordinal) || x["url.path"]?.Contains("/api/customers/", StringComparison.Ordinal) == true)
            && spans.Any(x => x["url.path"]?.StartsWith("/api/sessions", StringComparison.Ordinal) == true && x["http.response.status_code"] == "401"), () => app.Output);
        await app.DisposeAsync();
        var log = app.Output;
        var lines = log.Split('\n');
        var secrets = new[] { WebhookSecret, OldWebhookSecret, ApiSecret, FunctionKey, MasterKey, Card };
        var found = lines.Where(line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal)) || CardNumbers().Matches(line).Any(m => Luhn(m.Value))).ToList();
        var report = $"{lines.Length} log lines at Trace scanned for {secrets.Length} secrets and Luhn-valid card numbers; {found.Count} found";
        SuiteFigures.Print(output, "secrets", report);
        var spanTexts = otlp.Spans.SelectMany(span => span.Texts.Select(text => $"{span.Name}: {text}")).ToList();
        var inSpans = spanTexts.Where(text => secrets.Any(s => text.Contains(s, StringComparison.Ordinal)) || CardNumbers().Matches(text).Any(m => Luhn(m.Value))).ToList();
        SuiteFigures.Print(output, "secrets in spans", $"{otlp.Spans.Count} spans ({spanTexts.Count} strings) scanned; {inSpans.Count} found");

        Assert.True(lines.Length > 200, $"the run logged only {lines.Length} lines: Trace logging was not on");
        Assert.Contains("evt-sec-1", log, StringComparison.Ordinal);
        Assert.Contains("/api/sessions", log, StringComparison.Ordinal); // the request log was on
        Assert.Contains("/v1/1234/payments/pay-sec-1", log, StringComparison.Ordinal); // and the Connect client's
        Assert.Contains("no-such-key", log, StringComparison.Ordinal); // the rejection at Debug, key id and all
        Assert.Empty(found);
        Assert.Contains(otlp.Spans, x => x.Name == "GET /v1/{merchantId}/payments/{paymentId}"); // the Connect calls were traced
        Assert.Contains(otlp.Spans, x => x["url.query"] is { Length: > 0 }); // and the requests with keys in the query
        Assert.Empty(inSpans);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, byte[] body, string keyId, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/connect") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("X-GCS-Signature", WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(secret)));
        request.Headers.TryAddWithoutValidation("X-GCS-KeyId", keyId);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<bool> CompletedAsync(TableProcessedEventStore store, string eventId) =>
        (await store.GetAsync(eventId, CancellationToken.None))?.State == ProcessingState.Completed;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, DevHostProcess app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (StoreUnavailableException)
            {
                // The table is created by the first claim.
            }

            Assert.True(DateTime.UtcNow < deadline, "the events were not processed:\n" + app.Output);
            await Task.Delay(100);
        }
    }

    private static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    [GeneratedRegex(@"(?<!\d)\d{13,19}(?!\d)")]
    private static partial Regex CardNumbers();
}
