namespace ConnectEvents.UnitTests.Diagnostics;

/// <summary>
/// Tests that listen to the <c>ConnectEvents</c> source: an ActivityListener is process-wide, so they run on their own,
/// after the parallel tests, whose queue messages and Service Bus properties must stay as they are with tracing off.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingRunsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "tracing";
}
