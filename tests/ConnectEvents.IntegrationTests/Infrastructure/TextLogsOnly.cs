using Microsoft.Extensions.Logging;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>
/// Passes to the inner provider only entries that have message text. The WebJobs host writes structured-only entries
/// (its formatter returns null), which the fake logger refuses; everything else, with the app's own filter rules, reaches it.
/// </summary>
/// <param name="inner">The provider that records.</param>
[ProviderAlias("TextLogsOnly")]
public sealed class TextLogsOnly(ILoggerProvider inner) : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

    /// <inheritdoc />
    public void Dispose() => inner.Dispose();

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception) is not null)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
