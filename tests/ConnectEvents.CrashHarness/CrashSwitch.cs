using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace ConnectEvents.CrashHarness;

/// <summary>
/// Decides, at each crash point, whether the process dies there, and then kills it with SIGKILL: no finally blocks, no
/// disposal, no flush of anything but the one line that says where it died. Decisions come from one seeded random.
/// </summary>
internal sealed class CrashSwitch
{
    // The delivery being processed on this async flow, so a crash line can say whether it was the message's last.
    private static readonly AsyncLocal<long> CurrentDelivery = new();
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly double _probability;
    private readonly int _onlyOnDelivery;
    private readonly string? _onlyAt;

    /// <summary>Creates the switch from the <c>Crash</c> settings.</summary>
    public CrashSwitch(IOptions<HarnessOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _probability = options.Value.Probability;
        _onlyOnDelivery = options.Value.OnlyOnDelivery;
        _onlyAt = options.Value.OnlyAt;
        // Seeded on purpose: a failing run can be repeated with the seed it printed; this is not security randomness.
#pragma warning disable CA5394
        _random = new Random(options.Value.Seed);
#pragma warning restore CA5394
    }

    /// <summary>Marks the current async flow as processing delivery <paramref name="dequeueCount"/> of a message.</summary>
    public static void EnterDelivery(long dequeueCount) => CurrentDelivery.Value = dequeueCount;

    /// <summary>With the configured probability, prints <c>crash &lt;point&gt; &lt;delivery&gt;</c> and kills the process.</summary>
    public void MaybeKill(string point)
    {
        if ((_onlyOnDelivery > 0 && CurrentDelivery.Value != _onlyOnDelivery) || (_onlyAt is not null && _onlyAt != point))
        {
            return;
        }

        bool die;
        lock (_gate)
        {
#pragma warning disable CA5394
            die = _probability > 0 && _random.NextDouble() < _probability;
#pragma warning restore CA5394
        }

        if (!die)
        {
            return;
        }

        // Console.Out flushes every write, so the line is in the pipe before the signal.
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"crash {point} {CurrentDelivery.Value}"));
        using var self = Process.GetCurrentProcess();
        self.Kill(); // SIGKILL on Linux; Environment.FailFast would run the runtime's own shutdown path instead.
        Thread.Sleep(Timeout.Infinite); // never returns to the caller, even while the signal is on its way
    }
}
