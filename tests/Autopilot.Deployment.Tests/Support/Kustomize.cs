namespace Autopilot.Deployment.Tests.Support;

/// <summary>
/// Renders a kustomization the way `kubectl kustomize --load-restrictor LoadRestrictionsNone` does, for the subset
/// of kustomize this repository uses: resources (files and kustomization directories), namespace, images,
/// configMapGenerator and generatorOptions. Anything else throws, so a manifest change that needs more kustomize
/// than this can render fails loudly instead of being checked against the wrong output.
/// </summary>
public static class Kustomize
{
    private static readonly HashSet<string> SupportedKeys =
        ["apiVersion", "kind", "resources", "namespace", "images", "configMapGenerator", "generatorOptions"];

    private static readonly HashSet<string> ClusterScopedKinds =
        ["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
         "StorageClass", "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"];

    private static readonly HashSet<string> PodTemplateKinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];

    public static IReadOnlyList<Map> Render(string kustomizationDirectory)
    {
        var rendered = RenderDirectory(Path.GetFullPath(kustomizationDirectory));
        var duplicates = rendered.GroupBy(Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
            throw new InvalidDataException($"{Repo.Relative(kustomizationDirectory)} renders duplicate resources: {string.Join(", ", duplicates)}");
        return rendered;
    }

    public static string Id(Map resource) => $"{resource.Kind}/{resource.Namespace ?? "-"}/{resource.Name}";

    private static List<Map> RenderDirectory(string directory)
    {
        var file = new[] { "kustomization.yaml", "kustomization.yml", "Kustomization" }
            .Select(name => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{Repo.Relative(directory)} has no kustomization.yaml");
        var kustomization = Yaml.LoadSingle(file);
        var where = Repo.Relative(file);

        var unsupported = kustomization.Keys.Where(k => !SupportedKeys.Contains(k)).ToList();
        if (unsupported.Count > 0)
            throw new NotSupportedException(
                $"{where} uses {string.Join(", ", unsupported)}, which this renderer does not implement " +
                $"(supported: {string.Join(", ", SupportedKeys)}). Extend Support/Kustomize.cs or restructure the manifests.");

        var resources = new List<Map>();
        foreach (var entry in kustomization.StringsAt("resources"))
        {
            var path = Path.GetFullPath(Path.Combine(directory, entry));
            if (Directory.Exists(path)) resources.AddRange(RenderDirectory(path));
            else if (File.Exists(path)) resources.AddRange(Yaml.LoadDocuments(path).Select(d => d.DeepClone()));
            else throw new FileNotFoundException($"{where}: resource '{entry}' does not exist");
        }

        resources.AddRange(GenerateConfigMaps(kustomization, directory, where));

        if (kustomization.Str("namespace") is { } ns)
            foreach (var resource in resources.Where(r => !ClusterScopedKinds.Contains(r.Kind)))
                SetNamespace(resource, ns, where);

        foreach (var image in kustomization.MapsAt("images"))
            foreach (var resource in resources)
                ApplyImage(resource, image);

        return resources;
    }

    private static void SetNamespace(Map resource, string ns, string where)
    {
        // kustomize also rewrites ServiceAccount subjects of bindings; this renderer does not, so refuse.
        if (resource.Kind is "RoleBinding")
            throw new NotSupportedException($"{where}: `namespace:` over {resource.Describe()} is not supported here; set namespaces explicitly.");
        var metadata = resource.MapAt("metadata") ?? new Map();
        metadata["namespace"] = ns;
        resource["metadata"] = metadata;
    }

    private static IEnumerable<Map> GenerateConfigMaps(Map kustomization, string directory, string where)
    {
        var generators = kustomization.MapsAt("configMapGenerator");
        if (generators.Count == 0) yield break;

        var options = kustomization.MapAt("generatorOptions") ?? new Map();
        if (options.Str("disableNameSuffixHash") != "true")
            throw new NotSupportedException($"{where}: generated names with hash suffixes are not supported here; set generatorOptions.disableNameSuffixHash: true.");

        foreach (var generator in generators)
        {
            if (generator.Str("behavior") is { } behavior && behavior != "create")
                throw new NotSupportedException($"{where}: configMapGenerator behavior '{behavior}' is not supported here.");
            var data = new Map();
            foreach (var source in generator.StringsAt("files"))
            {
                var (key, relative) = source.Contains('=') ? (source[..source.IndexOf('=')], source[(source.IndexOf('=') + 1)..]) : (Path.GetFileName(source), source);
                var path = Path.GetFullPath(Path.Combine(directory, relative));
                if (!File.Exists(path))
                    throw new FileNotFoundException($"{where}: configMapGenerator '{generator.Str("name")}' lists '{relative}', which does not exist");
                if (!data.TryAdd(key, File.ReadAllText(path)))
                    throw new InvalidDataException($"{where}: configMapGenerator '{generator.Str("name")}' has two files named '{key}'");
            }
            foreach (var literal in generator.StringsAt("literals"))
            {
                var separator = literal.IndexOf('=');
                if (separator <= 0) throw new InvalidDataException($"{where}: literal '{literal}' is not key=value");
                data[literal[..separator]] = literal[(separator + 1)..];
            }

            var metadata = new Map { ["name"] = generator.Required("name") };
            if (generator.Str("namespace") is { } ns) metadata["namespace"] = ns;
            if (options.MapAt("labels") is { } labels) metadata["labels"] = labels.DeepClone();
            if (options.MapAt("annotations") is { } annotations) metadata["annotations"] = annotations.DeepClone();
            var configMap = new Map { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = metadata };
            if (data.Count > 0) configMap["data"] = data; // kustomize leaves `data` out when there is nothing in it
            yield return configMap;
        }
    }

    private static void ApplyImage(Map resource, Map image)
    {
        if (!PodTemplateKinds.Contains(resource.Kind)) return;
        var name = image.Required("name");
        var pod = resource.MapAt("spec", "template", "spec");
        if (pod is null) return;
        foreach (var container in pod.MapsAt("containers").Concat(pod.MapsAt("initContainers")))
        {
            var current = container.Str("image") ?? "";
            var (repository, tag) = SplitImage(current);
            if (repository != name) continue;
            var newRepository = image.Str("newName") ?? repository;
            container["image"] = image.Str("digest") is { } digest ? $"{newRepository}@{digest}"
                : image.Str("newTag") is { } newTag ? $"{newRepository}:{newTag}"
                : tag is null ? newRepository : $"{newRepository}:{tag}";
        }
    }

    private static (string Repository, string? Tag) SplitImage(string image)
    {
        var at = image.IndexOf('@');
        if (at >= 0) return (image[..at], null);
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, null);
    }
}
