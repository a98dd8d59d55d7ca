namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>Finds the repository root (the folder holding Events.sln) from the test binaries.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root.</summary>
    public static string Root => LazyRoot.Value;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Events.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find Events.sln above " + AppContext.BaseDirectory);
    }
}
