using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace ConnectEvents.DevHost;

/// <summary>
/// Enforces a function's authorization level as the Functions host does: the key comes in the <c>x-functions-key</c>
/// header or the <c>code</c> query parameter; Function level takes the function or the master key, Admin (and
/// System/User) only the master key.
/// </summary>
public static class FunctionKeys
{
    /// <summary>The header the host reads a key from.</summary>
    public const string KeyHeader = "x-functions-key";

    /// <summary>True when the request may call a function of <paramref name="level"/>.</summary>
    public static bool IsAuthorized(HttpContext context, AuthorizationLevel level)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (level == AuthorizationLevel.Anonymous)
        {
            return true;
        }

        var keys = context.RequestServices.GetRequiredService<IOptionsMonitor<DevHostKeys>>().CurrentValue;
        var presented = context.Request.Headers[KeyHeader].FirstOrDefault() ?? context.Request.Query["code"].FirstOrDefault();
        return Matches(presented, keys.MasterKey) || (level == AuthorizationLevel.Function && Matches(presented, keys.FunctionKey));
    }

    private static bool Matches(string? presented, string? key) =>
        !string.IsNullOrEmpty(presented) && !string.IsNullOrEmpty(key)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(key));
}
