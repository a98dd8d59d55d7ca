using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ConnectEvents.ConnectApi;

/// <summary>Builds the X-GCS-ServerMetaInfo header value (base64 JSON) once per options instance.</summary>
public static class ServerMetaInfo
{
    /// <summary>The header name.</summary>
    public const string HeaderName = "X-GCS-ServerMetaInfo";

    /// <summary>Who made this client, as reported to Connect.</summary>
    public const string SdkCreator = "ConnectEvents";

    /// <summary>The base64 header value for <paramref name="options"/>.</summary>
    public static string Build(ConnectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var version = typeof(ServerMetaInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("platformIdentifier", $"{RuntimeInformation.OSDescription.Trim()}; {RuntimeInformation.OSArchitecture}; {RuntimeInformation.FrameworkDescription}");
            json.WriteString("sdkIdentifier", $"ConnectEventsDotnet/v{version}");
            json.WriteString("sdkCreator", SdkCreator);
            if (!string.IsNullOrWhiteSpace(options.Integrator))
            {
                json.WriteString("integrator", options.Integrator);
            }

            if (options.ShoppingCartExtension is { } cart)
            {
                json.WriteStartObject("shoppingCartExtension");
                WriteIfSet(json, "creator", cart.Creator);
                WriteIfSet(json, "name", cart.Name);
                WriteIfSet(json, "version", cart.Version);
                WriteIfSet(json, "extensionId", cart.ExtensionId);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Convert.ToBase64String(buffer.ToArray());
    }

    /// <summary>Decodes a header value back to JSON text (for tests and diagnostics).</summary>
    public static string Decode(string headerValue) => Encoding.UTF8.GetString(Convert.FromBase64String(headerValue));

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            json.WriteString(name, value);
        }
    }
}
