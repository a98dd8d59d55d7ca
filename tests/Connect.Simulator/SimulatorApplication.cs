using System.Globalization;

namespace Connect.Simulator;

/// <summary>Wires the simulator into a <see cref="WebApplicationBuilder"/>; shared by the standalone program and <see cref="SimulatorHost"/>.</summary>
internal static class SimulatorApplication
{
    public static WebApplication Build(WebApplicationBuilder builder, SimulatorOptions options, SimulatorState state)
    {
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton<V1HmacVerifier>();
        builder.Services.AddSingleton<ConnectApi>();

        var app = builder.Build();
        app.MapSimulatorAdmin();
        app.Map("/v1/{**rest}", (HttpContext context, ConnectApi api) => api.HandleAsync(context));
        app.Map("/v1", (HttpContext context, ConnectApi api) => api.HandleAsync(context));
        app.MapPlatform3();
        app.MapFallback((HttpContext context) =>
        {
            var error = ConnectErrors.UnknownRoute(context.Request.Method, context.Request.Path.Value ?? "/");
            return Results.Content(error.Body, error.ContentType, statusCode: error.Status);
        });
        return app;
    }

    /// <summary>Reads <c>Simulator:Keys:&lt;n&gt;:ApiKeyId/SecretApiKey</c> and <c>Simulator:MaxClockSkew</c>; no keys configured keeps the default pair.</summary>
    /// <exception cref="InvalidOperationException">A key entry is incomplete or the skew is not a time span; the message names the setting.</exception>
    public static SimulatorOptions ReadOptions(IConfiguration configuration)
    {
        var options = new SimulatorOptions();
        var keys = configuration.GetSection("Simulator:Keys").GetChildren().ToList();
        if (keys.Count > 0)
        {
            options.Keys.Clear();
        }

        foreach (var key in keys)
        {
            var id = key["ApiKeyId"];
            var secret = key["SecretApiKey"];
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
            {
                throw new InvalidOperationException($"Simulator:Keys:{key.Key} needs both ApiKeyId and SecretApiKey (environment: Simulator__Keys__{key.Key}__ApiKeyId / __SecretApiKey)");
            }

            options.Keys[id] = secret;
        }

        if (configuration["Simulator:MaxClockSkew"] is { Length: > 0 } skew)
        {
            options.MaxClockSkew = TimeSpan.TryParse(skew, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
                ? value
                : throw new InvalidOperationException($"Simulator:MaxClockSkew '{skew}' is not a non-negative time span such as 00:05:00");
        }

        return options;
    }
}
