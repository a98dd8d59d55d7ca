namespace ConnectEvents.ConnectApi;

/// <summary>The Connect environments.</summary>
public enum ConnectEnvironment
{
    /// <summary>The sandbox (one host for every cluster).</summary>
    Sandbox,

    /// <summary>Pre-production.</summary>
    PreProduction,

    /// <summary>Production.</summary>
    Production,
}
