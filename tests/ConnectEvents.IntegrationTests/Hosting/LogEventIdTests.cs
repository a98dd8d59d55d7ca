using System.Reflection;
using ConnectEvents.Functions;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// Every [LoggerMessage] of the product has an event id of its own, so a log query by event id finds one kind of line.
/// (No I/O: it reflects over the assemblies of shared/, functions/ and the dev host, which this project references.)
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void NoEventIdIsUsedTwice()
    {
        var assemblies = new[] { typeof(WebhookIngress).Assembly, typeof(FunctionServices).Assembly, typeof(ConnectEvents.DevHost.Program).Assembly };
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var messages = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(All))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(messages.Count >= 20, $"only {messages.Count} log messages found; the reflection no longer sees them");
        Assert.DoesNotContain(messages, m => m.Attribute!.EventId <= 0);
        var reused = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}");
        Assert.Empty(reused);
    }
}
