using Microsoft.Extensions.Options;

namespace ConnectEvents.TestInfrastructure;

/// <summary>
/// The one options monitor of the tests and benchmarks (linked into each project that needs it): it returns one value
/// until <see cref="Set"/> replaces it, and then tells the listeners, as a configuration reload would.
/// </summary>
internal sealed class TestOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    private readonly List<Action<T, string?>> _listeners = [];

    public T CurrentValue { get; private set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable OnChange(Action<T, string?> listener)
    {
        _listeners.Add(listener);
        return new Unsubscribe(() => _listeners.Remove(listener));
    }

    public void Set(T updated)
    {
        CurrentValue = updated;
        foreach (var listener in _listeners.ToList())
        {
            listener(updated, null);
        }
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
