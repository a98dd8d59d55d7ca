using System.ComponentModel.DataAnnotations;

namespace ConnectEvents.Tokens;

/// <summary>Token vault settings (configuration section <c>TokenVault</c>).</summary>
public sealed class TokenVaultOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "TokenVault";

    /// <summary>The table holding the tokens and their index rows.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "TokenVault__TableName must be 3-63 letters and digits, starting with a letter.")]
    public string TableName { get; set; } = "tokenvault";

    /// <summary>The most tokens kept per customer; adding more drops the oldest unused ones first.</summary>
    [Range(1, 1000, ErrorMessage = "TokenVault__MaxTokensPerCustomer must be between 1 and 1000.")]
    public int MaxTokensPerCustomer { get; set; } = 10;
}
