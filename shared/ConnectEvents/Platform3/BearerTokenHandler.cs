using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Platform3;

/// <summary>Adds <c>Authorization: Bearer</c> from <c>Platform3__AccessToken</c> to every attempt (read live, so a rotated token applies at once).</summary>
/// <param name="options">The platform settings.</param>
public sealed class BearerTokenHandler(IOptionsMonitor<Platform3Options> options) : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.CurrentValue.AccessToken);
        return base.SendAsync(request, cancellationToken);
    }
}
