namespace Connect.Simulator;

/// <summary>Settings of one simulator instance: the API key pairs it accepts, the allowed clock skew and its clock.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Accepted key pairs, API key id → secret API key. Starts with <see cref="SimulatorHost.DefaultApiKeyId"/>/<see cref="SimulatorHost.DefaultSecretApiKey"/>; clear it to accept only your own.</summary>
    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal)
    {
        [SimulatorHost.DefaultApiKeyId] = SimulatorHost.DefaultSecretApiKey,
    };

    /// <summary>How far the request's <c>Date</c> header may be from the simulator's clock before the request is refused with 401.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock used for the Date check, request times and idempotence timestamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the simulator's logs go when hosted by <see cref="SimulatorHost"/>; <c>null</c> (default) keeps it quiet.</summary>
    public Microsoft.Extensions.Logging.ILoggerProvider? LoggerProvider { get; set; }
}
