using ConnectEvents.ConnectApi;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Functions.Hosting;

/// <summary>
/// Whether the Connect platform is on (<c>Connect__Enabled</c>), for the functions that serve it. They resolve their
/// Connect services through it only when it is on, so a deployment that runs only the v3 platform needs no Connect settings.
/// </summary>
/// <param name="options">The Connect settings.</param>
/// <param name="services">Where the Connect services are resolved from, on use.</param>
public sealed class ConnectPlatform(IOptions<ConnectOptions> options, IServiceProvider services)
{
    /// <summary>The answer of a Connect route while the platform is off.</summary>
    public const string OffMessage = "The Connect platform is off in this deployment (Connect__Enabled=false).";

    /// <summary>True unless <c>Connect__Enabled</c> is false.</summary>
    public bool IsEnabled => options.Value.Enabled;

    /// <summary>A Connect service; call only while <see cref="IsEnabled"/>.</summary>
    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    /// <summary>404 naming the setting, for a Connect route while the platform is off.</summary>
    public static Response Off() => Response.Text(StatusCodes.Status404NotFound, OffMessage);
}
