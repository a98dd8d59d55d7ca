using ConnectEvents.Idempotence;
using ConnectEvents.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Retention;

/// <summary>
/// One run of retention over the processed-event table and the quarantine container, at the moment the clock gives:
/// what the timer-triggered function (and the dev host's timer) calls. Safe to run on two instances at once, as every
/// delete is ETag-conditional and one already done is skipped.
/// </summary>
public sealed partial class RetentionRun
{
    private readonly TableProcessedEventStore _records;
    private readonly BlobQuarantineStore _quarantine;
    private readonly IOptionsMonitor<RetentionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RetentionRun> _logger;

    /// <summary>Runs over <paramref name="records"/> and <paramref name="quarantine"/> with the periods of <paramref name="options"/>.</summary>
    public RetentionRun(TableProcessedEventStore records, BlobQuarantineStore quarantine, IOptionsMonitor<RetentionOptions> options, TimeProvider time, ILogger<RetentionRun> logger)
    {
        _records = records ?? throw new ArgumentNullException(nameof(records));
        _quarantine = quarantine ?? throw new ArgumentNullException(nameof(quarantine));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The timer schedule (NCRONTAB, six fields, UTC): every 15 minutes, at 7 minutes past the quarter so as not to meet other hourly jobs.</summary>
    public const string Schedule = "0 7/15 * * * *";

    /// <summary>Deletes and trims what has expired now, at most <see cref="RetentionOptions.MaxPerRun"/> of each kind, and logs what it did.</summary>
    /// <exception cref="Storage.StoreUnavailableException">The table could not be reached; the next run tries again.</exception>
    public async Task<RetentionReport> RunAsync(CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var rule = new RetentionRule(options, _time.GetUtcNow());
        var records = await _records.ExpireAsync(rule, options.MaxPerRun, cancellationToken);
        var quarantine = await _quarantine.ExpireAsync(rule, options.MaxPerRun, cancellationToken);
        var report = new RetentionReport(records.RecordsDeleted, records.BodiesDropped, quarantine.QuarantineDeleted,
            records.Skipped + quarantine.Skipped, records.Complete && quarantine.Complete) { IndexRowsDeleted = records.IndexRowsDeleted };
        LogRun(_logger, report.RecordsDeleted, report.BodiesDropped, report.QuarantineDeleted, report.IndexRowsDeleted, report.Skipped, report.Complete);
        return report;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information,
        Message = "Retention: {RecordsDeleted} records deleted, {BodiesDropped} stored bodies removed, {QuarantineDeleted} quarantine entries deleted, {IndexRowsDeleted} index rows deleted, {Skipped} skipped (changed meanwhile); complete: {Complete}")]
    private static partial void LogRun(ILogger logger, int recordsDeleted, int bodiesDropped, int quarantineDeleted, int indexRowsDeleted, int skipped, bool complete);
}
