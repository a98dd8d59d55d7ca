using System.Text;
using ConnectEvents.Storage;

namespace ConnectEvents.UnitTests.Storage;

public sealed class TableKeysTests
{
    public static TheoryData<string> HostileValues() =>
    [
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "a/b\\c#d?e",
        "////",
        "100%",
        "%41",
        "%u0041",
        "%~not-a-hash",
        "pipe|in|value",
        "tab\there\nnewline\r\u0000nul\u001f\u007f\u0080\u009f",
        "O'Brien \"quoted\" & <tag> + spaces ",
        "ünïcødé ключ 鍵 🔑",
        "lone \ud800 high and \udc00 low",
        "\udbff",
        " ",
        new string('x', 300),
        new string('/', 150), // 450 escaped characters: still fits, still reversible
    ];

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void EscapedKeysObeyTheKeyRulesAndRoundTrip(string value)
    {
        var key = TableKeys.Escape(value);

        Assert.DoesNotContain(key, TableKeys.IsForbidden);
        Assert.DoesNotContain(key, c => c == '|');
        Assert.True(Encoding.UTF8.GetByteCount(key) <= TableKeys.MaxKeyBytes && key.Length * 2 <= TableKeys.MaxKeyBytes);
        Assert.Equal(value, TableKeys.Unescape(key));
        // Valid UTF-16: no unpaired surrogate survives the escape.
        Assert.Equal(key, Encoding.UTF8.GetString(new UTF8Encoding(false, true).GetBytes(key)));
    }

    [Fact]
    public void PlainIdsStayReadable()
    {
        Assert.Equal("6ba7b810-9dad-11d1-80b4-00c04fd430c8", TableKeys.Escape("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
        Assert.Equal("a%2Fb%23c%3Fd%5Ce%25f%7Cg", TableKeys.Escape("a/b#c?d\\e%f|g"));
        Assert.Equal("x%00y%7F%9F%uD800", TableKeys.Escape("x\0y\u007f\u009f\ud800"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void EmptyValuesAreRejected(string? value)
    {
        Assert.ThrowsAny<ArgumentException>(() => TableKeys.Escape(value!));
        Assert.ThrowsAny<ArgumentException>(() => TableKeys.EventPartition(value!));
        Assert.ThrowsAny<ArgumentException>(() => TableKeys.Composite("merchant", value!));
    }

    [Fact]
    public void OverlongValuesAreShortenedByHashWithinTheLimitAndStayDistinct()
    {
        var a = new string('a', 2000);
        var b = new string('a', 1999) + "b";
        var wide = string.Concat(Enumerable.Repeat("鍵/", 600));

        foreach (var value in new[] { a, b, wide, new string('/', 300), new string('/', 2000), string.Concat(Enumerable.Repeat("🔑", 600)) })
        {
            var key = TableKeys.Escape(value);
            Assert.True(Encoding.UTF8.GetByteCount(key) <= TableKeys.MaxKeyBytes, $"{Encoding.UTF8.GetByteCount(key)} UTF-8 bytes");
            Assert.True(key.Length * 2 <= TableKeys.MaxKeyBytes, $"{key.Length} chars");
            Assert.DoesNotContain(key, TableKeys.IsForbidden);
            Assert.Contains("%~", key, StringComparison.Ordinal);
            Assert.Throws<FormatException>(() => TableKeys.Unescape(key));
        }

        Assert.NotEqual(TableKeys.Escape(a), TableKeys.Escape(b));
        Assert.Equal(TableKeys.Escape(a), TableKeys.Escape(new string('a', 2000)));
        Assert.StartsWith("aaaa", TableKeys.Escape(a), StringComparison.Ordinal);
    }

    [Fact]
    public void CompositeKeysAreUnambiguous()
    {
        Assert.Equal("m%7Ca|b", TableKeys.Composite("m|a", "b"));
        Assert.NotEqual(TableKeys.Composite("m|a", "b"), TableKeys.Composite("m", "a|b"));
        Assert.Equal(["m|a", "b"], TableKeys.Composite("m|a", "b").Split('|').Select(TableKeys.Unescape));
    }

    [Fact]
    public void EventPartitionIsThreeHexCharactersOfSha256()
    {
        // Known answer from coreutils: printf %s evt-1 | sha256sum → 7b409f93…
        Assert.Equal("7b4", TableKeys.EventPartition("evt-1"));
        Assert.Matches("^[0-9a-f]{3}$", TableKeys.EventPartition("a/b#c?"));
    }

    [Fact]
    public void SequentialIdsSpreadOverManyPartitions()
    {
        var partitions = Enumerable.Range(0, 10_000).Select(i => TableKeys.EventPartition($"evt-{i:D8}")).ToHashSet();
        Assert.True(partitions.Count > 3000, $"{partitions.Count} partitions");
    }

    [Fact]
    public void TryUnescapeTellsShortenedKeysApart()
    {
        Assert.True(TableKeys.TryUnescape(TableKeys.Escape("lone\ud800"), out var value));
        Assert.Equal("lone\ud800", value);
        Assert.False(TableKeys.TryUnescape(TableKeys.Escape(new string('x', 600)), out _));
        Assert.False(TableKeys.TryUnescape("%zz", out _));
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%4")]
    [InlineData("%zz")]
    [InlineData("%u12")]
    public void MalformedKeysAreRejectedOnUnescape(string key) =>
        Assert.Throws<FormatException>(() => TableKeys.Unescape(key));
}
