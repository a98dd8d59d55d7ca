using ConnectEvents.Platform3;

namespace ConnectEvents.UnitTests.Platform3;

/// <summary>The result-code table: every group the v3 documentation names, the most specific rule winning, configuration, malformed codes.</summary>
public sealed class ResultCodeClassifierTests
{
    private readonly ResultCodeClassifier _builtIn = new();

    /// <summary>code, category: the documentation's examples and groups, and codes no rule names.</summary>
    public static TheoryData<string, ResultCategory> Table => new()
    {
        { "000.000.000", ResultCategory.Success },          // "transaction is succeeded"
        { "800.100.153", ResultCategory.DeclinedByBank },   // bank declined the authorization: wrong CVV
        { "800.100.154", ResultCategory.DeclinedByBank },   // 800.100: bank declined the authorization
        { "800.100.000", ResultCategory.DeclinedByBank },
        { "800.200.153", ResultCategory.DeclinedByBank },   // 800: bank declined
        { "800.999.999", ResultCategory.DeclinedByBank },
        { "000.000.001", ResultCategory.Unknown },          // only the whole code 000.000.000 is named
        { "000.100.000", ResultCategory.Unknown },
        { "801.100.153", ResultCategory.Unknown },
        { "999.999.999", ResultCategory.Unknown },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void EachCodeHasTheCategoryOfItsMostSpecificGroup(string code, ResultCategory expected)
    {
        Assert.True(_builtIn.TryClassify(code, out var category));
        Assert.Equal(expected, category);
        Assert.Equal(expected, _builtIn.Classify(code));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("000.000.00")]
    [InlineData("000.000.0000")]
    [InlineData("000-000-000")]
    [InlineData("000.000")]
    [InlineData("000..000.000")]
    [InlineData("a00.000.000")]
    [InlineData(" 000.000.000")]
    [InlineData("000.000.000 ")]
    [InlineData("٠٠٠.٠٠٠.٠٠٠")]
    [InlineData("８００.１００.１５３")]
    [InlineData("000000000.00")]
    public void MalformedCodesAreRefused(string? code)
    {
        Assert.False(ResultCodeClassifier.IsWellFormed(code));
        Assert.False(_builtIn.TryClassify(code, out var category));
        Assert.Equal(ResultCategory.Unknown, category);
        Assert.Throws<FormatException>(() => _builtIn.Classify(code));
    }

    [Fact]
    public void ConfiguredRulesAddGroupsAndOverrideBuiltInOnesOfTheSamePattern()
    {
        var classifier = new ResultCodeClassifier([
            new("000.200", ResultCategory.Pending),
            new("800.100.153", ResultCategory.DeclinedByRisk),
            new("900", ResultCategory.SystemError),
        ]);

        Assert.Equal(ResultCategory.Pending, classifier.Classify("000.200.100"));
        Assert.Equal(ResultCategory.DeclinedByRisk, classifier.Classify("800.100.153"));
        Assert.Equal(ResultCategory.DeclinedByBank, classifier.Classify("800.100.152"));
        Assert.Equal(ResultCategory.SystemError, classifier.Classify("900.100.300"));
        Assert.Equal(ResultCategory.Success, classifier.Classify("000.000.000"));
    }

    [Theory]
    [InlineData("80")]
    [InlineData("800.1")]
    [InlineData("800.100.153.1")]
    [InlineData("8x0")]
    public void AConfiguredPatternThatIsNotWholeGroupsIsRefused(string pattern) =>
        Assert.Throws<ArgumentException>(() => new ResultCodeClassifier([new(pattern, ResultCategory.Pending)]));

    [Theory]
    [InlineData(ResultCategory.Success, "success")]
    [InlineData(ResultCategory.Pending, "pending")]
    [InlineData(ResultCategory.DeclinedByBank, "declined-by-bank")]
    [InlineData(ResultCategory.DeclinedByRisk, "declined-by-risk")]
    [InlineData(ResultCategory.InvalidRequest, "invalid-request")]
    [InlineData(ResultCategory.SystemError, "system-error")]
    [InlineData(ResultCategory.Unknown, "unknown")]
    public void EveryCategoryHasTheTextRecordsCarry(ResultCategory category, string text) =>
        Assert.Equal(text, ResultCodeClassifier.Text(category));
}
