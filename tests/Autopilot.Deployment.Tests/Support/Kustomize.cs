using Autopilot.Testing;

namespace Autopilot.Deployment.Tests.Support;

/// <summary>
/// Renders a kustomization with the real kustomize, `kubectl kustomize --load-restrictor LoadRestrictionsNone` (the
/// command docs/deployment.md gives; the generated ConfigMaps read sops/ and policies/ from outside deploy/). The test
/// command installs the kubectl Debian package; it runs offline.
/// </summary>
public static class Kustomize
{
    public static IReadOnlyList<Map> Render(string kustomizationDirectory)
    {
        var (exitCode, output, errors) = Kubectl.Run("kustomize", "--load-restrictor", "LoadRestrictionsNone", Path.GetFullPath(kustomizationDirectory));
        if (exitCode != 0)
            throw new InvalidDataException($"kubectl kustomize {Repo.Relative(kustomizationDirectory)} failed: {errors.Trim()}");
        return Yaml.LoadText(output, $"kubectl kustomize {Repo.Relative(kustomizationDirectory)}");
    }
}
