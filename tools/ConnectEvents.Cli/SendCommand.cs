using System.Globalization;
using System.Text;
using ConnectEvents.Events;
using ConnectEvents.Webhooks;

namespace ConnectEvents.Cli;

/// <summary><c>connect-events send</c>: signs a sample Connect event (or a file's exact bytes) and POSTs it, as Worldline would.</summary>
internal static class SendCommand
{
    public const string Usage = """
        usage: connect-events send --url URL --key-id ID --secret SECRET [--type payment.pending_capture]
               [--merchant-id 1234] [--resource-id PAYMENT_OR_TOKEN_ID] [--event-id ID] [--customer REF]
               [--body FILE] [--count N] [--dry-run]
        Signs a sample Connect webhook event (or FILE's exact bytes) with HMAC-SHA256 and POSTs it.
        """;

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken ct)
    {
        var options = SenderOptions.Parse(args);
        if (options is null)
        {
            await env.Error.WriteLineAsync(Usage);
            return CliApp.ExitUsage;
        }

        var body = options.BodyFile is { } file
            ? await File.ReadAllBytesAsync(Path.Combine(env.WorkingDirectory, file), ct)
            : SampleEvents.Build(options.Type, options.MerchantId, options.ResourceId, options.EventId, customerReference: options.Customer);
        var signature = WebhookVerifier.Sign(body, Encoding.UTF8.GetBytes(options.Secret));

        if (options.DryRun)
        {
            await env.Out.WriteLineAsync($"X-GCS-KeyId: {options.KeyId}");
            await env.Out.WriteLineAsync($"X-GCS-Signature: {signature}");
            await env.Out.WriteLineAsync(Encoding.UTF8.GetString(body));
            return CliApp.ExitOk;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < options.Count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" };
            request.Headers.TryAddWithoutValidation("X-GCS-Signature", signature);
            request.Headers.TryAddWithoutValidation("X-GCS-KeyId", options.KeyId);
            if (!await CliHttp.SendAndReportAsync(http, request, $"{options.Type} ({body.Length} bytes)", options.Url.ToString(), env, ct))
            {
                return CliApp.ExitFailure;
            }
        }

        return CliApp.ExitOk;
    }

    /// <summary>Command-line options of <c>send</c>.</summary>
    private sealed record SenderOptions(
        Uri Url, string KeyId, string Secret, string Type, string MerchantId, string ResourceId, string? EventId,
        string? Customer, string? BodyFile, int Count, bool DryRun)
    {
        public static SenderOptions? Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var dryRun = false;
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] == "--dry-run")
                {
                    dryRun = true;
                }
                else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    values[args[i][2..]] = args[++i];
                }
                else
                {
                    return null;
                }
            }

            if (!values.TryGetValue("key-id", out var keyId) || !values.TryGetValue("secret", out var secret)
                || (!dryRun && !values.ContainsKey("url")))
            {
                return null;
            }

            var type = values.GetValueOrDefault("type", "payment.pending_capture");
            var resource = values.GetValueOrDefault("resource-id", type.StartsWith("token", StringComparison.Ordinal)
                ? "tok-" + Guid.NewGuid().ToString("N")[..12]
                : "000000123410000" + Random.Shared.Next(10000, 99999).ToString(CultureInfo.InvariantCulture) + "0000100001");
            var count = values.TryGetValue("count", out var c) && int.TryParse(c, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
            return new SenderOptions(new Uri(values.GetValueOrDefault("url", "http://127.0.0.1:7071/api/webhooks/connect")),
                keyId, secret, type, values.GetValueOrDefault("merchant-id", "1234"), resource, values.GetValueOrDefault("event-id"),
                values.GetValueOrDefault("customer"), values.GetValueOrDefault("body"), count, dryRun);
        }
    }
}
