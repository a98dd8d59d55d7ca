using System.Diagnostics;

namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>What a process run by <see cref="BoundedProcess.RunAsync"/> left behind.</summary>
/// <param name="ExitCode">Its exit code (after the kill, when it timed out).</param>
/// <param name="Stdout">Everything it wrote to standard output.</param>
/// <param name="Stderr">Everything it wrote to standard error.</param>
/// <param name="TimedOut">Whether it was killed for running past its bound.</param>
public sealed record BoundedProcessResult(int ExitCode, string Stdout, string Stderr, bool TimedOut);

/// <summary>Runs a process to its end with its output captured, killing it (and its children) when it outlives a bound.</summary>
public static class BoundedProcess
{
    /// <summary>Starts <paramref name="psi"/> (its output is redirected here) and waits at most <paramref name="bound"/> for it.</summary>
    /// <exception cref="InvalidOperationException">The process could not be started.</exception>
    public static async Task<BoundedProcessResult> RunAsync(ProcessStartInfo psi, TimeSpan bound)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        return await WaitAsync(process, bound);
    }

    /// <summary>Waits at most <paramref name="bound"/> for a started process whose output is redirected, reading all of it.</summary>
    public static async Task<BoundedProcessResult> WaitAsync(Process process, TimeSpan bound)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return new BoundedProcessResult(process.ExitCode, await stdout, await stderr, timedOut);
    }
}
