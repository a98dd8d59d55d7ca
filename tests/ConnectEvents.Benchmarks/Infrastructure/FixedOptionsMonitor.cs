using Microsoft.Extensions.Options;

namespace ConnectEvents.Benchmarks.Infrastructure;

/// <summary>An options monitor that always returns one instance (benchmarks build components without a host).</summary>
internal sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
