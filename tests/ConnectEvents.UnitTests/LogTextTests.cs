namespace ConnectEvents.UnitTests;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("plain-key", "plain-key")]
    [InlineData("a\r\nINFO forged line", "a\\u000d\\u000aINFO forged line")]
    [InlineData("bidi\u202Eevil", "bidi\\u202eevil")]
    [InlineData("zero\u200Bwidth\u00ADsoft", "zero\\u200bwidth\\u00adsoft")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData(null, "(none)")]
    public void ControlInvisibleAndBidiCharactersAreEscaped(string? value, string expected) =>
        Assert.Equal(expected, LogText.Safe(value));

    [Fact]
    public void LongValuesAreCutAndSayHowLongTheyWere()
    {
        var safe = LogText.Safe(new string('k', 10_000));
        Assert.Equal(new string('k', LogText.DefaultMaxLength) + "…(10000 chars)", safe);
    }

    [Fact]
    public void ALoneSurrogateIsEscaped() => Assert.Equal("lone\\ud800surrogate", LogText.Safe("lone" + '\uD800' + "surrogate"));

    [Fact]
    public void APairedSurrogateIsKept() => Assert.Equal("emoji 😀", LogText.Safe("emoji 😀"));
}
