using Autopilot.Testing;
using System.Diagnostics;

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
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "kustomize", "--load-restrictor", "LoadRestrictionsNone", Path.GetFullPath(kustomizationDirectory) })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start kubectl");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidDataException($"kubectl kustomize {Repo.Relative(kustomizationDirectory)} failed: {errors.Result.Trim()}");
        return Yaml.LoadText(output, $"kubectl kustomize {Repo.Relative(kustomizationDirectory)}");
    }
}
