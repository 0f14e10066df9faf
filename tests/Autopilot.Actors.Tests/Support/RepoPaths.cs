namespace Autopilot.Actors.Tests.Support;

public static class RepoPaths
{
    public static string Root => Autopilot.Testing.Repo.Root;

    public static string Sops => Path.Combine(Root, "sops");
}
