namespace ConnectEvents.ConnectApi;

/// <summary>A shopping cart extension's identity for X-GCS-ServerMetaInfo.</summary>
public sealed class ShoppingCartExtensionOptions
{
    /// <summary>Who made the extension.</summary>
    public string? Creator { get; set; }

    /// <summary>Its name.</summary>
    public string? Name { get; set; }

    /// <summary>Its version.</summary>
    public string? Version { get; set; }

    /// <summary>Its id, if it has one.</summary>
    public string? ExtensionId { get; set; }
}
