using ConnectEvents.Events;

namespace ConnectEvents.Processing.Handlers;

/// <summary>A handler of one Connect event family (the part of the event type before the first dot).</summary>
public interface IConnectFamilyHandler : IProcessingHandler<ConnectEventEnvelope>
{
    /// <summary>The family handled: <c>payment</c>, <c>refund</c>, <c>payout</c>, <c>token</c>, <c>dispute</c>.</summary>
    string Family { get; }
}
