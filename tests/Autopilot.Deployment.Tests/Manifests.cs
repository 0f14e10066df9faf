using Autopilot.Testing;
using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

/// <summary>The deployment files, parsed once.</summary>
public static class Manifests
{
    public const string ProductionOverlay = "deploy/overlays/production";

    private static readonly Lazy<IReadOnlyList<Map>> LazyCluster = new(() => Kustomize.Render(Repo.PathOf(ProductionOverlay)));

    /// <summary>Everything `kubectl kustomize deploy/overlays/production` renders: what goes into the cluster.</summary>
    public static IReadOnlyList<Map> Cluster => LazyCluster.Value;

    public static IEnumerable<Map> ClusterOfKind(string kind) => Cluster.Where(r => r.Kind == kind);

    public static Map ClusterResource(string kind, string name) =>
        Cluster.SingleOrDefault(r => r.Kind == kind && r.Name == name)
        ?? throw new KeyNotFoundException($"{ProductionOverlay} renders no {kind} named '{name}'");

    /// <summary>Every YAML document under a folder, with the file it came from.</summary>
    public static IReadOnlyList<(string File, Map Document)> DocumentsUnder(string folder) =>
        Repo.YamlFilesUnder(folder)
            .SelectMany(file => Yaml.LoadDocuments(file).Select(d => (Repo.Relative(file), d)))
            .ToList();

    /// <summary>The resources a self-hosted daprd loads: every resource path named in dapr.yaml.</summary>
    public static IReadOnlyList<(string File, Map Document)> LocalResources =>
        MultiAppRun.StringsAt("common", "resourcesPaths")
            .SelectMany(path => DocumentsUnder(path.TrimStart('.', '/')))
            .ToList();

    public static Map MultiAppRun => Yaml.LoadSingle(Repo.PathOf("dapr.yaml"));

    public static Map Tye => Yaml.LoadSingle(Repo.PathOf("tye.yaml"));

    public static Map DaprRunApp(string appId) =>
        MultiAppRun.MapsAt("apps").SingleOrDefault(a => a.Str("appID") == appId)
        ?? throw new KeyNotFoundException($"dapr.yaml has no app with appID '{appId}'");

    /// <summary>The Configuration a self-hosted sidecar of <paramref name="appId"/> runs with (dapr.yaml configFilePath).</summary>
    public static Map LocalConfiguration(string appId)
    {
        var app = DaprRunApp(appId);
        var path = Path.Combine(Repo.PathOf(app.Required("appDirPath")), app.Required("configFilePath"));
        return Yaml.LoadSingle(path);
    }

    public static Map ClusterConfigurationFor(string appId)
    {
        var deployment = DeploymentFor(appId);
        return ClusterResource("Configuration", deployment.Required("spec", "template", "metadata", "annotations", "dapr.io/config"));
    }

    public static Map DeploymentFor(string appId) =>
        ClusterOfKind("Deployment").SingleOrDefault(d => d.Str("spec", "template", "metadata", "annotations", "dapr.io/app-id") == appId)
        ?? throw new KeyNotFoundException($"No Deployment in {ProductionOverlay} has dapr.io/app-id '{appId}'");
}
