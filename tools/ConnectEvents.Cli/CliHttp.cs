using System.Globalization;

namespace ConnectEvents.Cli;

/// <summary>The one way the sending subcommands POST and report what came back.</summary>
internal static class CliHttp
{
    /// <summary>
    /// Sends <paramref name="request"/>, prints one line (status, <paramref name="what"/>, <paramref name="target"/>, the answer's
    /// body) and says whether it was a success; an unreachable target is one clear line, not a stack trace.
    /// </summary>
    /// <exception cref="CliFailureException">The target could not be reached.</exception>
    public static async Task<bool> SendAndReportAsync(HttpClient http, HttpRequestMessage request, string what, string target, CliEnvironment env, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliFailureException($"cannot reach {target}: {ex.Message}");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{(int)response.StatusCode} {response.ReasonPhrase} {what} -> {target}{(text.Length > 0 ? ": " + text : "")}"));
            return response.IsSuccessStatusCode;
        }
    }
}
