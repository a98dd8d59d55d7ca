using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace ConnectEvents.Diagnostics;

/// <summary>
/// Writes each export of the meter (delta temporality: what happened since the last one) as one Information line per
/// instrument, so a local run shows its counts and latencies without a metrics backend. Counters print
/// <c>tag/tag=count</c>; histograms print <c>count, avg and max</c> in milliseconds.
/// </summary>
/// <param name="logger">Where the lines go.</param>
/// <param name="interval">The export interval, named in each line.</param>
public sealed partial class MetricsLogExporter(ILogger logger, TimeSpan interval) : BaseExporter<Metric>
{
    /// <inheritdoc />
    public override ExportResult Export(in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            if (Describe(metric) is { Length: > 0 } text)
            {
                LogMetric(logger, interval.TotalSeconds, metric.Name, text);
            }
        }

        return ExportResult.Success;
    }

    /// <summary>The instrument's points in one line, or empty when none had a measurement.</summary>
    internal static string Describe(Metric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var sb = new StringBuilder();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var tags = new StringBuilder();
            foreach (var tag in point.Tags)
            {
                tags.Append(tags.Length == 0 ? string.Empty : "/").Append(tag.Value);
            }

            var label = tags.Length == 0 ? "all" : tags.ToString();
            switch (metric.MetricType)
            {
                case MetricType.LongSum when point.GetSumLong() is var sum and not 0:
                    sb.Append(sb.Length == 0 ? string.Empty : ", ").Append(label).Append('=').Append(sum.ToString(CultureInfo.InvariantCulture));
                    break;
                case MetricType.Histogram when point.GetHistogramCount() is var count and > 0:
                    var max = point.TryGetHistogramMinMaxValues(out _, out var m) ? m : double.NaN;
                    sb.Append(sb.Length == 0 ? string.Empty : ", ").Append(label)
                        .Append(CultureInfo.InvariantCulture, $" n={count} avg={point.GetHistogramSum() / count * 1000:F1}ms max={max * 1000:F1}ms");
                    break;
            }
        }

        return sb.ToString();
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Metrics (last {IntervalSeconds:F0} s) {Instrument}: {Points}")]
    private static partial void LogMetric(ILogger logger, double intervalSeconds, string instrument, string points);
}
