namespace ConnectEvents.Retention;

/// <summary>What retention does with one processed-event record.</summary>
public enum RetentionAction
{
    /// <summary>Leave it as it is.</summary>
    Keep,

    /// <summary>Remove the stored event bytes, keep the record (a Completed record past its body period).</summary>
    DropBody,

    /// <summary>Delete the record.</summary>
    Delete,
}
