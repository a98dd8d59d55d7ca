namespace ConnectEvents.IntegrationTests.Infrastructure;

/// <summary>Finds the repository root (the folder holding Events.sln) from the test binaries.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>
    /// The built <paramref name="assemblyName"/>.dll of the project in <paramref name="projectFolder"/> (relative to the root),
    /// in the configuration (Debug or Release) the running code was built in.
    /// </summary>
    public static string BuiltAssembly(string projectFolder, string assemblyName) => BuiltFile(projectFolder, assemblyName + ".dll");

    /// <summary>
    /// The file <paramref name="fileName"/> in the build output of the project in <paramref name="projectFolder"/>, in the
    /// configuration the running code was built in (such as the functions project's generated functions.metadata).
    /// </summary>
    public static string BuiltFile(string projectFolder, string fileName)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        return Path.Combine(Root, projectFolder, "bin", configuration, "net10.0", fileName);
    }

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
