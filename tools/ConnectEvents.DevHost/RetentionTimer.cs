using ConnectEvents.Functions.Retention;
using ConnectEvents.Retention;
using Cronos;

namespace ConnectEvents.DevHost;

/// <summary>
/// The dev host's side of the <see cref="ApplyRetention"/> timer: on the same schedule (<see cref="RetentionRun.Schedule"/>),
/// from the app's <see cref="TimeProvider"/> (so tests move the clock), it calls a new <see cref="ApplyRetention"/> as
/// the Functions host would. The WebJobs timer extension that restores here (3.0.x) reads the system clock only.
/// </summary>
/// <param name="services">Creates the function class per run, as the worker does.</param>
/// <param name="time">The clock the schedule follows.</param>
/// <param name="logger">Where a failed run is reported.</param>
public sealed partial class RetentionTimer(IServiceProvider services, TimeProvider time, ILogger<RetentionTimer> logger) : BackgroundService
{
    private static readonly CronExpression Schedule = CronExpression.Parse(RetentionRun.Schedule, CronFormat.IncludeSeconds);

    /// <summary>Waits for each occurrence and runs; a failed run is logged and the next occurrence comes as planned.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the schedule's first computation is not on the host's start path
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = Schedule.GetNextOccurrence(now, TimeZoneInfo.Utc) ?? throw new InvalidOperationException($"The schedule {RetentionRun.Schedule} has no next occurrence.");
            await Task.Delay(next - now, time, stoppingToken);
            try
            {
                await ActivatorUtilities.CreateInstance<ApplyRetention>(services).RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRunFailed(logger, ex.GetType().Name, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Retention run failed ({Kind}: {Reason}); the next one runs on schedule")]
    private static partial void LogRunFailed(ILogger logger, string kind, string reason);
}
