namespace Autopilot.Model.Tests;

/// <summary>The repository checkout the tests run from (the folder holding Autopilot.sln).</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Autopilot.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Autopilot.sln above {AppContext.BaseDirectory}.");
    }
}
