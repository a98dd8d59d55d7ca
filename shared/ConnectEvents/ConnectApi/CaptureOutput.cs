namespace ConnectEvents.ConnectApi;

/// <summary>The output part of a capture.</summary>
public sealed class CaptureOutput : ConnectObject
{
    /// <summary>The captured amount.</summary>
    public AmountOfMoney? AmountOfMoney { get; set; }
}
