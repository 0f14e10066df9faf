namespace Autopilot.Actors.Tests.Support;

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Sops => Path.Combine(Root, "sops");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Autopilot.sln"))) return dir.FullName;
        throw new InvalidOperationException("Autopilot.sln not found above " + AppContext.BaseDirectory);
    }
}
