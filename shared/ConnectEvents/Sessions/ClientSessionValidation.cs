namespace ConnectEvents.Sessions;

/// <summary>Checks a <see cref="CreateClientSessionRequest"/> and names every field that is wrong.</summary>
public static class ClientSessionValidation
{
    /// <summary>Longest customer reference accepted.</summary>
    public const int MaxReferenceLength = 100;

    /// <summary>Most groups or products accepted in one filter.</summary>
    public const int MaxFilterEntries = 100;

    /// <summary>Returns field → problems; empty when the request is valid. The merchant is checked by <see cref="ResolveMerchant"/>.</summary>
    public static Dictionary<string, string[]> Validate(CreateClientSessionRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["body"] = ["A JSON object is required."];
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

    /// <summary>
    /// The merchant a call acts for: <paramref name="requested"/> when the caller names one, else <paramref name="configured"/>
    /// (<c>Connect__MerchantId</c>). Null, with a <c>merchantId</c> entry added to <paramref name="errors"/>, when the named one is
    /// malformed or neither is set.
    /// </summary>
    public static string? ResolveMerchant(string? requested, string? configured, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (requested is not null)
        {
            if (IsSafeId(requested, 50))
            {
                return requested;
            }

            errors["merchantId"] = ["Must be 1-50 letters, digits, '-' or '_'."];
            return null;
        }

        if (string.IsNullOrWhiteSpace(configured))
        {
            errors["merchantId"] = ["Required: pass merchantId or configure Connect__MerchantId."];
            return null;
        }

        return configured;
    }

    /// <summary>Why <paramref name="reference"/> is not a usable customer reference, or null when it is.</summary>
    public static string? CustomerReferenceProblem(string? reference) =>
        string.IsNullOrWhiteSpace(reference) ? "Required."
        : reference.Length > MaxReferenceLength ? $"At most {MaxReferenceLength} characters."
        : reference.Any(char.IsControl) ? "Must not contain control characters."
        : null;

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
}
