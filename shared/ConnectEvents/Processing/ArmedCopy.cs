namespace ConnectEvents.Processing;

/// <summary>A copy of a delivery armed on its queue (<see cref="IDeliveryDeferral.ArmAsync"/>), and what deletes it again.</summary>
/// <param name="Queue">The queue it waits on.</param>
/// <param name="MessageId">Its message id.</param>
/// <param name="PopReceipt">The receipt the send answered, which deletes it.</param>
public sealed record ArmedCopy(string Queue, string MessageId, string PopReceipt);
