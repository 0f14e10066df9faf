namespace Autopilot.Remediation.Tests.Knowledge;

/// <summary>Locates the repository's sops/ folder from the test output directory.</summary>
internal static class ShippedSops
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "sops");
            if (File.Exists(Path.Combine(dir.FullName, "Autopilot.sln")) && System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("Could not find the repository's sops/ folder above " + AppContext.BaseDirectory);
    }
}
