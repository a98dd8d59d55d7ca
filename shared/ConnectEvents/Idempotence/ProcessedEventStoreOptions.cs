using ConnectEvents.Storage;

namespace ConnectEvents.Idempotence;

/// <summary>Processed-event store settings (configuration section <c>Processing:Store</c>).</summary>
public sealed class ProcessedEventStoreOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Processing:Store";

    /// <summary>The table holding one row per event id.</summary>
    [TableName("Processing__Store__TableName")]
    public string TableName { get; set; } = TableProcessedEventStore.DefaultTableName;
}
