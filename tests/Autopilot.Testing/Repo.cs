namespace Autopilot.Testing;

/// <summary>Paths inside the repository the tests run from (found by walking up to Autopilot.sln).</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] relative) => Path.Combine([Root, .. relative]);

    public static string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace('\\', '/');

    /// <summary>Every *.yaml / *.yml file under a repository folder, sorted.</summary>
    public static IReadOnlyList<string> YamlFilesUnder(string folder) =>
        Directory.EnumerateFiles(PathOf(folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Autopilot.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No Autopilot.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
