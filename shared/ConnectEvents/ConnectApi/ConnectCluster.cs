namespace ConnectEvents.ConnectApi;

/// <summary>The Connect clusters (where data is processed and stored).</summary>
public enum ConnectCluster
{
    /// <summary>GlobalCollect and WL Online Payment Acceptance platforms.</summary>
    World,

    /// <summary>The Ogone platform; data stays in Europe.</summary>
    Europe,

    /// <summary>The TechProcess platform; data stays in India.</summary>
    India,
}
