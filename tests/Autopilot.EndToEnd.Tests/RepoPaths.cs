namespace Autopilot.EndToEnd.Tests;

/// <summary>Folders of the repository the tests read shipped content from.</summary>
internal static class RepoPaths
{
    public static string Root => Autopilot.Testing.Repo.Root;

    public static string Scenarios => Path.Combine(Root, "simulator", "scenarios");

    public static string Sops => Path.Combine(Root, "sops");

    public static string Policies => Path.Combine(Root, "policies");

    public static string PrometheusRules => Path.Combine(Root, "deploy", "prometheus", "rules.yaml");
}
