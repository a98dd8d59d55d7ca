using System.Collections.Frozen;

namespace ConnectEvents.Platform3;

/// <summary>
/// Maps a v3 result code (<c>ddd.ddd.ddd</c>) to a <see cref="ResultCategory"/> by its groups: the most specific rule
/// wins, the whole code first, then its first two groups, then its first group. Codes of any other shape are refused.
/// </summary>
public sealed class ResultCodeClassifier
{
    /// <summary>
    /// The rules the v3 API documentation itself gives: <c>000.000.000</c> is a succeeded transaction; the first group
    /// <c>800</c> is a bank decline, its sub-group <c>800.100</c> a declined authorization, and <c>800.100.153</c> a
    /// declined authorization for a wrong CVV. Everything else comes from configuration.
    /// </summary>
    public static readonly IReadOnlyList<ResultCodeRule> BuiltIn =
    [
        new("000.000.000", ResultCategory.Success),
        new("800", ResultCategory.DeclinedByBank),
        new("800.100", ResultCategory.DeclinedByBank),
        new("800.100.153", ResultCategory.DeclinedByBank),
    ];

    private readonly FrozenDictionary<string, ResultCategory> _rules;

    /// <summary>Builds the table from <see cref="BuiltIn"/> and then <paramref name="extra"/>; a later rule for the same pattern wins.</summary>
    /// <exception cref="ArgumentException">A pattern is not one to three groups of three digits.</exception>
    public ResultCodeClassifier(IEnumerable<ResultCodeRule>? extra = null)
    {
        var rules = new Dictionary<string, ResultCategory>(StringComparer.Ordinal);
        foreach (var rule in BuiltIn.Concat(extra ?? []))
        {
            if (!IsPattern(rule.Pattern))
            {
                throw new ArgumentException($"Result-code pattern '{rule.Pattern}' is not one to three groups of three digits (e.g. 800 or 800.100).", nameof(extra));
            }

            rules[rule.Pattern] = rule.Category;
        }

        _rules = rules.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>True when <paramref name="code"/> has the form <c>ddd.ddd.ddd</c> (ASCII digits).</summary>
    public static bool IsWellFormed(string? code) => code is { Length: 11 } && IsPattern(code);

    /// <summary>Classifies a well-formed code; false (and <see cref="ResultCategory.Unknown"/>) for a malformed one.</summary>
    public bool TryClassify(string? code, out ResultCategory category)
    {
        category = ResultCategory.Unknown;
        if (!IsWellFormed(code))
        {
            return false;
        }

        // Most specific first: the whole code, then two groups, then one.
        foreach (var length in (ReadOnlySpan<int>)[11, 7, 3])
        {
            if (_rules.TryGetValue(code![..length], out category))
            {
                return true;
            }
        }

        category = ResultCategory.Unknown;
        return true;
    }

    /// <summary>Classifies a code.</summary>
    /// <exception cref="FormatException">The code is not <c>ddd.ddd.ddd</c>.</exception>
    public ResultCategory Classify(string? code) =>
        TryClassify(code, out var category) ? category : throw new FormatException("A v3 result code has the form ddd.ddd.ddd.");

    /// <summary>The category as records, metrics and events spell it, e.g. <c>declined-by-bank</c>.</summary>
    public static string Text(ResultCategory category) => category switch
    {
        ResultCategory.Success => "success",
        ResultCategory.Pending => "pending",
        ResultCategory.DeclinedByBank => "declined-by-bank",
        ResultCategory.DeclinedByRisk => "declined-by-risk",
        ResultCategory.InvalidRequest => "invalid-request",
        ResultCategory.SystemError => "system-error",
        _ => "unknown",
    };

    /// <summary>True for one, two or three dot-separated groups of exactly three ASCII digits.</summary>
    internal static bool IsPattern(string? pattern)
    {
        if (pattern is not { Length: 3 or 7 or 11 })
        {
            return false;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            var ok = i % 4 == 3 ? pattern[i] == '.' : char.IsAsciiDigit(pattern[i]);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
