using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

/// <summary>The manifests the consistency checks read are what kubectl kustomize renders.</summary>
public sealed class KustomizeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kustomize-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void The_production_overlay_renders_every_app_with_generated_content_from_outside_deploy()
    {
        Assert.Contains(Manifests.Cluster, r => r.Kind == "Deployment" && r.Name == "autopilot-actors");
        Assert.Contains(Manifests.Cluster, r => r.Kind == "Deployment" && r.Name == "gateway-bridge");
        Assert.Contains(Manifests.Cluster, r => r.Kind == "Deployment" && r.Name == "inference-pool");
        Assert.Contains(Manifests.Cluster, r => r.Kind == "ConfigMap" && (r.MapAt("data")?.Keys.Any(k => k.EndsWith(".md", StringComparison.Ordinal)) ?? false));
    }

    [Fact]
    public void A_broken_kustomization_fails_naming_the_folder_and_kustomize_s_reason()
    {
        Write("broken/kustomization.yaml", "resources:\n  - nope.yaml\n");

        var error = Assert.Throws<InvalidDataException>(() => Kustomize.Render(Path.Combine(_root, "broken")));

        Assert.Contains("kubectl kustomize", error.Message);
        Assert.Contains("nope.yaml", error.Message);
    }
}
