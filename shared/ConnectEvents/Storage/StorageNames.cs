namespace ConnectEvents.Storage;

/// <summary>Rules for names the storage services accept.</summary>
public static class StorageNames
{
    /// <summary>True for a valid Azure Table name: 3-63 ASCII letters and digits, starting with a letter.</summary>
    public static bool IsTableName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);
}
