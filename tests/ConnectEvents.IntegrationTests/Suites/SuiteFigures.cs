using Xunit.Abstractions;

namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>Prints a suite's figures to the test output and to the console, so they show in CI logs whatever the logger.</summary>
internal static class SuiteFigures
{
    /// <summary>Writes one line, prefixed with the suite's name.</summary>
    public static void Print(ITestOutputHelper output, string suite, string line)
    {
        var text = $"[{suite}] {line}";
        output.WriteLine(text);
        Console.WriteLine(text);
    }
}
