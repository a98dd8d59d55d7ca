namespace ConnectEvents.DevHost;

/// <summary>The keys the dev host accepts (section <c>DevHost</c>); the Functions host keeps its own in Azure.</summary>
public sealed class DevHostKeys
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "DevHost";

    /// <summary>Accepted on Function-level routes (<c>DevHost__FunctionKey</c>); unset means only the master key opens them.</summary>
    public string? FunctionKey { get; set; }

    /// <summary>Accepted everywhere, and the only key for Admin-level routes (<c>DevHost__MasterKey</c>); unset means those routes refuse every call.</summary>
    public string? MasterKey { get; set; }
}
