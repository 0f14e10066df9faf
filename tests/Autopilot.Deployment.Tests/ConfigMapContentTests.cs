using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

/// <summary>The SOP library and the policy files ship to the cluster as ConfigMaps generated from sops/ and policies/.</summary>
public class ConfigMapContentTests
{
    private static IReadOnlyList<string> Listed(string configMap) =>
        Yaml.LoadSingle(Repo.PathOf(Manifests.ProductionOverlay, "kustomization.yaml"))
            .MapsAt("configMapGenerator").Single(g => g.Str("name") == configMap)
            .StringsAt("files")
            .Select(f => Repo.Relative(Path.GetFullPath(Path.Combine(Repo.PathOf(Manifests.ProductionOverlay), f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f))))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IReadOnlyList<string> Shipped(string folder, params string[] extensions) =>
        Directory.Exists(Repo.PathOf(folder))
            ? Directory.EnumerateFiles(Repo.PathOf(folder), "*", SearchOption.TopDirectoryOnly)
                .Where(f => extensions.Contains(Path.GetExtension(f)))
                .Select(Repo.Relative).Order(StringComparer.Ordinal).ToList()
            : [];

    [Fact]
    public void Sop_configmap_lists_every_sop_in_the_sop_folder()
    {
        Assert.True(Listed("autopilot-sops").SequenceEqual(Shipped("sops", ".md")),
            "deploy/overlays/production/kustomization.yaml configMapGenerator 'autopilot-sops' must list exactly the files in sops/ " +
            $"(as ../../../sops/<file>). Listed: [{string.Join(", ", Listed("autopilot-sops"))}]; in sops/: [{string.Join(", ", Shipped("sops", ".md"))}]");
    }

    [Fact]
    public void Policy_configmap_lists_every_policy_file()
    {
        Assert.True(Listed("autopilot-policies").SequenceEqual(Shipped("policies", ".yaml", ".yml")),
            "deploy/overlays/production/kustomization.yaml configMapGenerator 'autopilot-policies' must list exactly the files in policies/ " +
            $"(as ../../../policies/<file>). Listed: [{string.Join(", ", Listed("autopilot-policies"))}]; in policies/: [{string.Join(", ", Shipped("policies", ".yaml", ".yml"))}]");
    }

    [Fact]
    public void Generated_configmaps_carry_the_files_verbatim()
    {
        foreach (var name in new[] { "autopilot-sops", "autopilot-policies" })
        {
            var data = Manifests.ClusterResource("ConfigMap", name).MapAt("data") ?? new Map();
            foreach (var file in Listed(name))
                Assert.Equal(File.ReadAllText(Repo.PathOf(file)), data.Str(Path.GetFileName(file)));
        }
    }
}
