namespace Autopilot.Testing;

/// <summary>Fresh folders under the system temp directory for a test's state.</summary>
public static class Scratch
{
    public static string NewDirectory(string name, string area = "autopilot-tests")
    {
        var path = Path.Combine(Path.GetTempPath(), area, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
