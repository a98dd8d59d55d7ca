namespace ConnectEvents;

/// <summary>Which HTTP header names carry credentials or signatures, for every place that logs or stores headers.</summary>
internal static class SensitiveHeaders
{
    // Substrings, not exact names, so variants (Proxy-Authorization, Set-Cookie, X-GCS-Authentication-Token,
    // X-GCS-CallerPassword, X-GCS-Signature, x-functions-key) are caught without listing each one.
    private static readonly string[] Markers = ["authorization", "cookie", "password", "secret", "signature", "token", "functions-key"];

    /// <summary>True when a header called <paramref name="name"/> must be neither logged nor stored as it came.</summary>
    public static bool IsSecret(string name)
    {
        foreach (var marker in Markers)
        {
            if (name.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
