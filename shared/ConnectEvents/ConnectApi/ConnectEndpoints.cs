namespace ConnectEvents.ConnectApi;

/// <summary>The Server API hosts per environment and cluster.</summary>
public static class ConnectEndpoints
{
    /// <summary>The base URL for <paramref name="environment"/> in <paramref name="cluster"/>.</summary>
    public static Uri For(ConnectEnvironment environment, ConnectCluster cluster) => new((environment, cluster) switch
    {
        (ConnectEnvironment.Sandbox, _) => "https://eu.sandbox.api-ingenico.com",
        (ConnectEnvironment.PreProduction, ConnectCluster.World) => "https://api.preprod.connect.worldline-solutions.com",
        (ConnectEnvironment.PreProduction, ConnectCluster.Europe) => "https://eu.preprod.api-ingenico.com",
        (ConnectEnvironment.PreProduction, ConnectCluster.India) => "https://mum-preprod.api-ingenico.com",
        (ConnectEnvironment.Production, ConnectCluster.World) => "https://api.connect.worldline-solutions.com",
        (ConnectEnvironment.Production, ConnectCluster.Europe) => "https://eu.api-ingenico.com",
        (ConnectEnvironment.Production, ConnectCluster.India) => "https://mum.api-ingenico.com",
        _ => throw new ArgumentOutOfRangeException(nameof(environment), $"no endpoint for {environment}/{cluster}"),
    });
}
