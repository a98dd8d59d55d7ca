using Microsoft.Extensions.Configuration;

namespace ConnectEvents;

/// <summary>
/// Which payment platforms this deployment runs: the one answer to "is this platform on", for the function classes, the
/// dev host and the registrations alike. Connect is on unless <c>Connect__Enabled</c> is false; the v3 platform is on
/// exactly when <c>Platform3__Endpoint</c> is set.
/// </summary>
/// <param name="connect">Whether the Connect platform is on.</param>
/// <param name="v3">Whether the v3 platform is on.</param>
public sealed class EnabledPlatforms(bool connect, bool v3)
{
    /// <summary>The answer of a Connect route while the Connect platform is off.</summary>
    public const string ConnectOffMessage = "The Connect platform is off in this deployment (Connect__Enabled=false).";

    /// <summary>The answer of the v3 notification route while the v3 platform is off.</summary>
    public const string V3OffMessage = "v3 notifications are not enabled here (Platform3__Endpoint is not set).";

    /// <summary>True unless <c>Connect__Enabled</c> is false.</summary>
    public bool Connect { get; } = connect;

    /// <summary>True when <c>Platform3__Endpoint</c> is set.</summary>
    public bool V3 { get; } = v3;

    /// <summary>Reads both switches from <paramref name="configuration"/>.</summary>
    public static EnabledPlatforms From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connect = !bool.TryParse(configuration["Connect:Enabled"], out var enabled) || enabled;
        return new EnabledPlatforms(connect, !string.IsNullOrWhiteSpace(configuration["Platform3:Endpoint"]));
    }
}
