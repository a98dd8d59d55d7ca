using ConnectEvents.Retention;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.Functions.Retention;

/// <summary>The <c>ApplyRetention</c> function: deletes expired processed-event records, stored bodies and quarantine entries on a timer.</summary>
/// <param name="run">One retention run (docs/architecture.md (Retention)).</param>
public sealed class ApplyRetention(RetentionRun run)
{
    /// <summary>The function name the host knows it by.</summary>
    public const string Name = nameof(ApplyRetention);

    /// <summary>A storage failure fails this run only; the next one, a schedule later, carries on.</summary>
    [Function(Name)]
    public async Task RunAsync([TimerTrigger(RetentionRun.Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await run.RunAsync(cancellationToken);
    }
}
