namespace Autopilot.EndToEnd.Tests;

/// <summary>Folders of the repository the tests read shipped content from.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Scenarios => Path.Combine(Root, "simulator", "scenarios");

    public static string Sops => Path.Combine(Root, "sops");

    public static string Policies => Path.Combine(Root, "policies");

    public static string PrometheusRules => Path.Combine(Root, "deploy", "prometheus", "rules.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Autopilot.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Autopilot.sln above {AppContext.BaseDirectory}.");
    }
}
