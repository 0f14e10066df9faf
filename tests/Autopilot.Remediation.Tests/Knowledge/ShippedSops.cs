namespace Autopilot.Remediation.Tests.Knowledge;

/// <summary>The repository's shipped sops/ folder.</summary>
internal static class ShippedSops
{
    public static string Directory { get; } = TestFiles.Path("sops");
}
