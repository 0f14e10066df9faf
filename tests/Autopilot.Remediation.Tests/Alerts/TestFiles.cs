namespace Autopilot.Remediation.Tests;

/// <summary>Finds files in the repository (test data, shipped content) from the test output directory.</summary>
internal static class TestFiles
{
    public static string RepositoryRoot => Autopilot.Testing.Repo.Root;

    public static string Path(params string[] parts) => System.IO.Path.Combine([RepositoryRoot, .. parts]);

    public static byte[] AlertPayload(string name) =>
        File.ReadAllBytes(Path("tests", "Autopilot.Remediation.Tests", "TestData", "Alerts", name));
}
