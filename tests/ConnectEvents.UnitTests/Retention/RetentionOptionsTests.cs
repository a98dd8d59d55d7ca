using System.ComponentModel.DataAnnotations;
using ConnectEvents.Retention;

namespace ConnectEvents.UnitTests.Retention;

public sealed class RetentionOptionsTests
{
    private static List<string> Problems(RetentionOptions options) =>
        [.. options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage!)];

    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Problems(new RetentionOptions()));

    [Fact]
    public void APeriodShorterThanTheDuplicateWindowIsRefusedNamingBothSettings()
    {
        var problem = Assert.Single(Problems(new RetentionOptions { Failed = TimeSpan.FromDays(2) }));

        Assert.Contains("Processing__Retention__Failed", problem, StringComparison.Ordinal);
        Assert.Contains("Processing__Retention__DuplicateWindow", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ABodyPeriodShorterThanTheDuplicateWindowIsAllowedAsTheRecordStays() =>
        Assert.Empty(Problems(new RetentionOptions { CompletedBody = TimeSpan.FromHours(1) }));

    [Fact]
    public void AZeroPeriodIsRefused() =>
        Assert.Contains(Problems(new RetentionOptions { Quarantine = TimeSpan.Zero }), p => p.Contains("Processing__Retention__Quarantine must be positive", StringComparison.Ordinal));
}
