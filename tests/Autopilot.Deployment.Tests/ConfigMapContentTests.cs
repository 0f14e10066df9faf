using Autopilot.Testing;
using Autopilot.Deployment.Tests.Support;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Policies;

namespace Autopilot.Deployment.Tests;

/// <summary>
/// The SOP library and the policy files ship to the cluster as ConfigMaps generated from sops/ and policies/ and
/// mounted as flat folders. What the actors app reads there must be complete and valid.
/// </summary>
public sealed class ConfigMapContentTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("configmap-content-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static IReadOnlyList<string> Listed(string configMap) =>
        Yaml.LoadSingle(Repo.PathOf(Manifests.ProductionOverlay, "kustomization.yaml"))
            .MapsAt("configMapGenerator").Single(g => g.Str("name") == configMap)
            .StringsAt("files")
            .Select(f => Repo.Relative(Path.GetFullPath(Path.Combine(Repo.PathOf(Manifests.ProductionOverlay), f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f))))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IReadOnlyList<string> Shipped(string folder, params string[] extensions) =>
        Directory.Exists(Repo.PathOf(folder))
            ? Directory.EnumerateFiles(Repo.PathOf(folder), "*", SearchOption.AllDirectories)
                .Where(f => extensions.Contains(Path.GetExtension(f)))
                .Select(Repo.Relative).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The folder a pod sees where the ConfigMap is mounted.</summary>
    private string Mounted(string configMap)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_scratch, configMap)).FullName;
        foreach (var (key, value) in Manifests.ClusterResource("ConfigMap", configMap).MapAt("data") ?? new Map())
            File.WriteAllText(Path.Combine(folder, key), (string)value!);
        return folder;
    }

    [Fact]
    public void Sop_configmap_lists_every_sop_and_post_mortem()
    {
        Assert.True(Listed("autopilot-sops").SequenceEqual(Shipped("sops", ".md")),
            "deploy/overlays/production/kustomization.yaml configMapGenerator 'autopilot-sops' must list exactly the *.md files under sops/ " +
            $"(as ../../../sops/<path>). Listed: [{string.Join(", ", Listed("autopilot-sops"))}]; in sops/: [{string.Join(", ", Shipped("sops", ".md"))}]");
    }

    [Fact]
    public void Policy_configmap_lists_every_policy_file()
    {
        Assert.True(Listed("autopilot-policies").SequenceEqual(Shipped("policies", ".yaml", ".yml")),
            "deploy/overlays/production/kustomization.yaml configMapGenerator 'autopilot-policies' must list exactly the files in policies/ " +
            $"(as ../../../policies/<file>). Listed: [{string.Join(", ", Listed("autopilot-policies"))}]; in policies/: [{string.Join(", ", Shipped("policies", ".yaml", ".yml"))}]");
    }

    [Fact]
    public void Generated_configmaps_carry_the_files_verbatim_and_fit_in_a_configmap()
    {
        foreach (var name in new[] { "autopilot-sops", "autopilot-policies" })
        {
            var data = Manifests.ClusterResource("ConfigMap", name).MapAt("data") ?? new Map();
            foreach (var file in Listed(name))
                Assert.Equal(File.ReadAllText(Repo.PathOf(file)), data.Str(Path.GetFileName(file)));
            var bytes = data.Sum(d => System.Text.Encoding.UTF8.GetByteCount(d.Key) + System.Text.Encoding.UTF8.GetByteCount((string)d.Value!));
            Assert.True(bytes < 900 * 1024, $"ConfigMap {name} holds {bytes} bytes; Kubernetes objects must stay under 1 MiB (use a volume instead)");
        }
    }

    [Fact]
    public void Policies_as_mounted_in_the_cluster_pass_validation()
    {
        var policies = PolicySet.LoadDirectory(Mounted("autopilot-policies"));
        Assert.NotEmpty(policies.Policies);
    }

    [Fact]
    public void Sops_as_mounted_in_the_cluster_index_cleanly_and_cover_every_workload_alert()
    {
        using var index = SqliteSopIndex.Open(Mounted("autopilot-sops"), Path.Combine(_scratch, "sop-index.db"));
        Assert.Empty(index.Problems);
        Assert.Equal(Listed("autopilot-sops").Count, index.Documents.Count);
        var matched = index.Documents.SelectMany(d => d.Matches.AlertNames).ToHashSet();
        Assert.All(SharedNames.WorkloadAlerts, alert => Assert.Contains(alert, matched));
    }
}
