using System.Diagnostics;
using ConnectEvents.IntegrationTests.Infrastructure;

namespace ConnectEvents.Benchmarks.Infrastructure;

/// <summary>CPU time used between start and <see cref="Stop"/> by this process and by the Azurite process, apart.</summary>
internal sealed class CpuWindow
{
    private readonly AzuriteInstance _azurite;
    private readonly TimeSpan _own;
    private readonly TimeSpan _azuriteStart;

    private CpuWindow(AzuriteInstance azurite)
    {
        _azurite = azurite;
        _own = Process.GetCurrentProcess().TotalProcessorTime;
        _azuriteStart = azurite.ProcessorTime;
    }

    /// <summary>Opens a window now.</summary>
    public static CpuWindow Start(AzuriteInstance azurite) => new(azurite);

    /// <summary>CPU used since the start: this process (app, simulator, load generator) and Azurite.</summary>
    public (TimeSpan Own, TimeSpan Azurite) Stop() =>
        (Process.GetCurrentProcess().TotalProcessorTime - _own, _azurite.ProcessorTime - _azuriteStart);
}
