using System.Globalization;
using System.Text;
using ConnectEvents.Platform3;

namespace ConnectEvents.Cli;

/// <summary>
/// <c>connect-events send-v3</c>: mints the v3 platform's notification URL for a payment (as the app would hand it to the
/// platform) and POSTs a notification to it, as the platform would, for local runs.
/// </summary>
internal static class SendV3Command
{
    public const string Usage = """
        usage: connect-events send-v3 --url APP_NOTIFICATION_URL --key-id ID --secret SECRET --reference REF
               [--merchant-id 1234] [--code 000.000.000] [--lifetime 7d] [--count N] [--dry-run]
        Mints the notification URL for (merchant, reference) with the webhook secret key ID (as the app's
        NotificationUrls does: HMAC-SHA256 under a key derived from the secret for URLs only, expiring after
        --lifetime, at most Platform3__NotificationUrlLifetime; the app accepts it when ID is
        Platform3__NotificationKeyId or one of Platform3__AcceptedKeyIds) and POSTs a notification body announcing
        CODE. The body is only a hint: the app verifies the payment through the v3 Inquiry API.
        --dry-run prints the URL and body instead of sending.
        e.g. --url http://127.0.0.1:7071/api/notifications/v3
        """;

    public static async Task<int> RunAsync(string[] argv, CliEnvironment env, CancellationToken ct)
    {
        var args = CliArgs.Parse(argv, ["--dry-run"], ["--url", "--key-id", "--secret", "--reference", "--merchant-id", "--code", "--count", "--lifetime"]);
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        }

        var endpoint = args.Option("--url") is { } u && Uri.TryCreate(u, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
            ? parsed
            : throw new UsageException("--url must be the app's absolute http(s) notification URL, e.g. http://127.0.0.1:7071/api/notifications/v3");
        var keyId = args.Option("--key-id") ?? throw new UsageException("--key-id is required");
        var secret = args.Option("--secret") ?? throw new UsageException("--secret is required");
        var reference = args.Option("--reference") ?? throw new UsageException("--reference is required");
        var merchant = args.Option("--merchant-id") ?? "1234";
        var code = args.Option("--code") ?? "000.000.000";
        if (!NotificationUrls.IsMerchantId(merchant) || !NotificationUrls.IsReference(reference))
        {
            throw new UsageException("--merchant-id and --reference take 1 to 64 ASCII letters, digits, '.', '_' or '-'");
        }

        if (!ResultCodeClassifier.IsWellFormed(code))
        {
            throw new UsageException($"--code must look like ddd.ddd.ddd, not '{code}'");
        }

        var count = args.Option("--count") is { } c
            ? int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1000 ? n : throw new UsageException("--count takes 1 to 1000")
            : 1;
        var lifetime = args.Option("--lifetime") is { } l
            ? CliArgs.TryDuration(l, out var d) && d > TimeSpan.Zero ? d : throw new UsageException($"--lifetime takes a duration such as 7d, 12h or 30m, not '{l}'")
            : TimeSpan.FromDays(7);
        var url = NotificationUrls.Build(endpoint, merchant, reference, keyId, Encoding.UTF8.GetBytes(secret), DateTimeOffset.UtcNow + lifetime);
        var body = Encoding.UTF8.GetBytes($$$"""{"id":"{{{Guid.NewGuid():N}}}","merchantTransactionId":"{{{reference}}}","result":{"code":"{{{code}}}","description":"sent by connect-events send-v3"}}""");
        if (args.Has("--dry-run"))
        {
            await env.Out.WriteLineAsync($"POST {url}");
            await env.Out.WriteLineAsync(Encoding.UTF8.GetString(body));
            return CliApp.ExitOk;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" };
            if (!await CliHttp.SendAndReportAsync(http, request, $"v3 notification {merchant}/{reference} ({code})", endpoint.GetLeftPart(UriPartial.Path), env, ct))
            {
                return CliApp.ExitFailure;
            }
        }

        return CliApp.ExitOk;
    }
}
