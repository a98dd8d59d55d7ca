using System.Globalization;

namespace ConnectEvents.Cli;

/// <summary>A subcommand's parsed command line: positional arguments, flags and valued options, each checked against what the subcommand knows.</summary>
internal sealed class CliArgs
{
    /// <summary>The options every storage subcommand takes.</summary>
    public static readonly string[] StorageOptions = ["--storage", "--settings"];

    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    /// <summary>Parses <paramref name="args"/>; anything not in <paramref name="flags"/> or <paramref name="options"/> is a usage error.</summary>
    /// <exception cref="UsageException">An unknown option, or an option without its value.</exception>
    public static CliArgs Parse(string[] args, IEnumerable<string> flags, IEnumerable<string> options)
    {
        var knownFlags = flags.ToHashSet(StringComparer.Ordinal);
        var knownOptions = options.Concat(StorageOptions).ToHashSet(StringComparer.Ordinal);
        var parsed = new CliArgs();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? arg[..eq] : arg;
            if (knownFlags.Contains(arg))
            {
                parsed._flags.Add(arg);
            }
            else if (knownOptions.Contains(name))
            {
                var value = eq > 0 && name != arg ? arg[(eq + 1)..]
                    : i + 1 < args.Length ? args[++i]
                    : throw new UsageException($"{name} needs a value");
                parsed._options[name] = value;
            }
            else if (arg.StartsWith('-'))
            {
                throw new UsageException($"unknown option {arg}");
            }
            else
            {
                parsed.Positionals.Add(arg);
            }
        }

        return parsed;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Option(string name) => _options.GetValueOrDefault(name);

    /// <summary>
    /// The <c>--since</c> option as a point in time: a duration back from <paramref name="now"/> (<c>90s</c>, <c>15m</c>,
    /// <c>24h</c>, <c>7d</c>) or a date/time (ISO 8601; UTC when no offset is given).
    /// </summary>
    /// <exception cref="UsageException">Neither a duration nor a date/time.</exception>
    public DateTimeOffset? Since(DateTimeOffset now)
    {
        if (Option("--since") is not { Length: > 0 } text)
        {
            return null;
        }

        if (TryDuration(text, out var back))
        {
            return now - back;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw new UsageException($"--since '{text}' is neither a duration (90s, 15m, 24h, 7d) nor a date/time (2026-11-25T08:00Z)");
    }

    /// <summary>Reads a duration as the options write it: a number and s, m, h or d (<c>90s</c>, <c>15m</c>, <c>24h</c>, <c>7d</c>).</summary>
    public static bool TryDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        if (text.Length < 2 || !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0)
        {
            return false;
        }

        TimeSpan? span = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => null,
        };
        duration = span ?? default;
        return span is not null;
    }

    /// <summary>Which one of <paramref name="flags"/> was given; a usage error unless exactly one was (or none, when <paramref name="optional"/>).</summary>
    public string? OneOf(string[] flags, bool optional = false)
    {
        var given = flags.Where(Has).ToList();
        return given.Count switch
        {
            1 => given[0],
            0 when optional => null,
            _ => throw new UsageException($"give exactly one of {string.Join(", ", flags)}"),
        };
    }
}
