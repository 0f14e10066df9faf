namespace Autopilot.Remediation.Tests;

/// <summary>Finds files in the repository (test data, shipped content) from the test output directory.</summary>
internal static class TestFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([RepositoryRoot, .. parts]);

    public static byte[] AlertPayload(string name) =>
        File.ReadAllBytes(Path("tests", "Autopilot.Remediation.Tests", "TestData", "Alerts", name));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Autopilot.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Could not find the repository root (Autopilot.sln) above " + AppContext.BaseDirectory);
    }
}
