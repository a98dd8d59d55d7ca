using System.Globalization;
using System.Text;

namespace ConnectEvents;

/// <summary>Makes a caller-supplied string safe to put in a log line: control and invisible characters escaped, length capped.</summary>
public static class LogText
{
    /// <summary>The default cap on a caller-supplied value in a log line.</summary>
    public const int DefaultMaxLength = 64;

    /// <summary>
    /// Returns <paramref name="value"/> with control, format (invisible, bidi) and unpaired surrogate characters written as
    /// <c>\uXXXX</c>, cut to <paramref name="maxLength"/> characters with an ellipsis and the original length.
    /// </summary>
    public static string Safe(string? value, int maxLength = DefaultMaxLength)
    {
        if (value is null)
        {
            return "(none)";
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength) + 8);
        var shown = 0;
        for (var i = 0; i < value.Length && shown < maxLength; i++, shown++)
        {
            var c = value[i];
            var category = char.GetUnicodeCategory(c);
            var unpaired = char.IsHighSurrogate(c) ? i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])
                : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator || unpaired || c == '\\')
            {
                builder.Append(c == '\\' ? "\\\\" : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return value.Length > maxLength
            ? builder.Append("…(").Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(" chars)").ToString()
            : builder.ToString();
    }
}
