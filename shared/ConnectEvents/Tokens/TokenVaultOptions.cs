using System.ComponentModel.DataAnnotations;
using ConnectEvents.Storage;

namespace ConnectEvents.Tokens;

/// <summary>Token vault settings (configuration section <c>TokenVault</c>).</summary>
public sealed class TokenVaultOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "TokenVault";

    /// <summary>The table holding the tokens and their index rows.</summary>
    [TableName("TokenVault__TableName")]
    public string TableName { get; set; } = "tokenvault";

    /// <summary>The most tokens kept per customer; adding more drops the least recently used (or, never used, created) first.</summary>
    [Range(1, 1000, ErrorMessage = "TokenVault__MaxTokensPerCustomer must be between 1 and 1000.")]
    public int MaxTokensPerCustomer { get; set; } = 10;
}
