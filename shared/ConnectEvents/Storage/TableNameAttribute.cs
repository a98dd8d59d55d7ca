using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.Storage;

/// <summary>A valid Azure Table name: 3-63 ASCII letters and digits, starting with a letter; the message names the setting.</summary>
/// <param name="settingName">The setting as an environment variable spells it, e.g. <c>TokenVault__TableName</c>.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TableNameAttribute(string settingName)
    : ValidationAttribute($"{settingName} must be 3-63 letters and digits, starting with a letter.")
{
    /// <summary>The setting the message names.</summary>
    public string SettingName { get; } = settingName;

    /// <inheritdoc />
    public override bool IsValid(object? value) =>
        value is string { Length: >= 3 and <= 63 } name && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);
}
