using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ConnectEvents.Sessions;

/// <summary>Reads and checks what callers send to the session and token routes, naming every field that is wrong.</summary>
public static class ClientSessionValidation
{
    /// <summary>Longest customer reference accepted.</summary>
    public const int MaxReferenceLength = 100;

    /// <summary>Longest token id accepted.</summary>
    public const int MaxTokenIdLength = 100;

    /// <summary>Most groups or products accepted in one filter.</summary>
    public const int MaxFilterEntries = 100;

    /// <summary>The field (body) and query parameter that no longer choose the merchant.</summary>
    public const string MerchantIdField = "merchantId";

    private const string BodyField = "body";

    /// <summary>
    /// The answer to a request that names a merchant: the merchant comes from configuration only, so a caller cannot act
    /// for another merchant, and one who tries learns it instead of silently getting the configured one.
    /// </summary>
    public static SessionProblem MerchantIdRefused { get; } = new(400, "The merchant comes from configuration; merchantId is not accepted.",
        new Dictionary<string, string[]> { [MerchantIdField] = ["Not accepted: remove it (the merchant is Connect__MerchantId)."] });

    /// <summary>
    /// Parses a <c>POST /api/sessions</c> body: valid UTF-8, JSON without a repeated key in any object (names compared
    /// ignoring case, as the binding does), well-formed strings, only the fields of the contract, values of the right
    /// type; then <see cref="Validate"/>. Null when the request is usable.
    /// </summary>
    public static SessionProblem? Read(ReadOnlySpan<byte> utf8, out CreateClientSessionRequest? request)
    {
        request = null;
        if (!Utf8.IsValid(utf8))
        {
            return Invalid(BodyField, "Not valid UTF-8.");
        }

        if (FirstStructuralProblem(utf8) is { } structural)
        {
            return Invalid(structural.Field, structural.Problem);
        }

        try
        {
            request = JsonSerializer.Deserialize(utf8, SessionJsonContext.Default.CreateClientSessionRequest);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? BodyField : ex.Path.TrimStart('$', '.');
            return field.Equals(MerchantIdField, StringComparison.OrdinalIgnoreCase) ? MerchantIdRefused
                : Invalid(field, ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "Not a field of this request." : "Wrong type or malformed value.");
        }

        var errors = Validate(request);
        return errors.Count == 0 ? null : new SessionProblem(400, "The session request is invalid.", errors);
    }

    /// <summary>Returns field → problems; empty when the request is valid.</summary>
    public static Dictionary<string, string[]> Validate(CreateClientSessionRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors[BodyField] = ["A JSON object is required."];
            return errors;
        }

        if (CustomerReferenceProblem(request.CustomerReference) is { } problem)
        {
            errors["customerReference"] = [problem];
        }

        CheckFilter(request.PaymentProductFilters?.RestrictTo, "paymentProductFilters.restrictTo", errors);
        CheckFilter(request.PaymentProductFilters?.Exclude, "paymentProductFilters.exclude", errors);
        return errors;
    }

    /// <summary>Why <paramref name="reference"/> is not a usable customer reference, or null when it is (see <see cref="TextProblem"/>).</summary>
    public static string? CustomerReferenceProblem(string? reference) => TextProblem(reference, MaxReferenceLength);

    /// <summary>Why <paramref name="tokenId"/> is not a usable token id, or null when it is (see <see cref="TextProblem"/>).</summary>
    public static string? TokenIdProblem(string? tokenId) => TextProblem(tokenId, MaxTokenIdLength);

    /// <summary>
    /// Why <paramref name="value"/> cannot identify anything, or null when it can: it must be present, at most
    /// <paramref name="maxLength"/> UTF-16 units, without leading or trailing white space, well-formed (no lone
    /// surrogate, no U+FFFD left by a lossy decoding), without control, line/paragraph separator or invisible format
    /// characters (category Cf: soft hyphen, zero-width and bidi marks and overrides, BOM), so that two strings that look
    /// alike are not two different customers or tokens.
    /// </summary>
    public static string? TextProblem(string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Required.";
        }

        if (value.Length > maxLength)
        {
            return $"At most {maxLength} characters.";
        }

        if (value.AsSpan().Trim().Length != value.Length)
        {
            return "Must not start or end with white space.";
        }

        for (var i = 0; i < value.Length;)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var used) != OperationStatus.Done || rune == Rune.ReplacementChar)
            {
                return "Must be well-formed Unicode text (no lone surrogates or undecodable bytes).";
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    return $"Must not contain control characters (U+{rune.Value:X4}).";
                case UnicodeCategory.Format:
                    return $"Must not contain invisible or bidi formatting characters (U+{rune.Value:X4}).";
            }

            i += used;
        }

        return null;
    }

    /// <summary>The first repeated key (anywhere), string that is not well-formed, or syntax error of a JSON text.</summary>
    private static (string Field, string Problem)? FirstStructuralProblem(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        var open = new Stack<Container>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open.Push(new Container(open.TryPeek(out var parent) ? parent.Member : string.Empty, reader.TokenType == JsonTokenType.StartObject));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var container = open.Peek();
                        var name = reader.GetString()!;
                        container.Member = container.Path.Length == 0 ? name : container.Path + "." + name;
                        if (!container.Names!.Add(name))
                        {
                            return (container.Member, "Appears more than once.");
                        }

                        break;
                    case JsonTokenType.String:
                        _ = reader.GetString();
                        break;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // GetString refuses an escaped lone surrogate, in a value or in a name.
            return (open.TryPeek(out var at) && at.Member.Length > 0 ? at.Member : BodyField, "Must be well-formed Unicode text (no lone surrogates).");
        }
        catch (JsonException)
        {
            return (BodyField, "Not valid JSON.");
        }

        return null;
    }

    private static SessionProblem Invalid(string field, string problem) =>
        new(400, "The session request is invalid.", new Dictionary<string, string[]> { [field] = [problem] });

    private static void CheckFilter(ProductFilter? filter, string path, Dictionary<string, string[]> errors)
    {
        if (filter is null)
        {
            return;
        }

        if (filter.Groups is { } groups)
        {
            if (groups.Count > MaxFilterEntries)
            {
                errors[path + ".groups"] = [$"At most {MaxFilterEntries} entries."];
            }
            else if (groups.Any(g => !IsSafeId(g, 50)))
            {
                errors[path + ".groups"] = ["Each group must be 1-50 letters, digits, '-' or '_' (e.g. \"cards\")."];
            }
        }

        if (filter.Products is { } products)
        {
            if (products.Count > MaxFilterEntries)
            {
                errors[path + ".products"] = [$"At most {MaxFilterEntries} entries."];
            }
            else if (products.Any(p => p <= 0))
            {
                errors[path + ".products"] = ["Each product id must be a positive integer."];
            }
        }
    }

    private static bool IsSafeId(string? value, int maxLength) =>
        !string.IsNullOrEmpty(value) && value.Length <= maxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>An object or array being read: its path (arrays' elements share it), the names seen, the member read now.</summary>
    private sealed class Container(string path, bool isObject)
    {
        public string Path { get; } = path;

        public HashSet<string>? Names { get; } = isObject ? new(StringComparer.OrdinalIgnoreCase) : null;

        public string Member { get; set; } = path;
    }
}
