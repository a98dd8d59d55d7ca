namespace ConnectEvents.IntegrationTests.Suites;

/// <summary>
/// The memory load suite runs alone, after the parallel classes: it pushes about 1 GB through loopback on a 2-core runner,
/// which would starve other classes' time-bounded tests and let their load blur its own figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryLoadSuiteRunsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "memory load suite";
}
