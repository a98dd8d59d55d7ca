using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.Idempotence;

/// <summary>Processed-event store settings (configuration section <c>Processing:Store</c>).</summary>
public sealed class ProcessedEventStoreOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Processing:Store";

    /// <summary>The table holding one row per event id.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Processing__Store__TableName must be 3-63 letters and digits, starting with a letter.")]
    public string TableName { get; set; } = TableProcessedEventStore.DefaultTableName;
}
