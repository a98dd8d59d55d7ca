namespace ConnectEvents.Processing.Handlers;

/// <summary>The outcome words stored on processed-event records.</summary>
public static class EventOutcomes
{
    /// <summary>Nothing needed doing: the event is recorded, and that is all.</summary>
    public const string NoAction = "no-action";
}
