using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

/// <summary>The small kustomize renderer the consistency checks rely on behaves like kustomize for what it supports.</summary>
public sealed class KustomizeRendererTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kustomize-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: web
                  image: example/web:1.0
        """;

    [Fact]
    public void Renders_nested_kustomizations_with_namespace_images_and_generated_configmaps()
    {
        Write("base/web.yaml", Deployment);
        Write("base/kustomization.yaml", "resources:\n  - web.yaml\nnamespace: apps\n");
        Write("content/a.md", "# A\n");
        Write("overlay/kustomization.yaml", """
            resources:
              - ../base
            images:
              - name: example/web
                newName: registry.local/web
                newTag: "2.0"
            generatorOptions:
              disableNameSuffixHash: true
              labels:
                team: sre
            configMapGenerator:
              - name: docs
                namespace: apps
                files:
                  - ../content/a.md
                  - renamed.md=../content/a.md
                literals:
                  - mode=strict
            """);

        var rendered = Kustomize.Render(Path.Combine(_root, "overlay"));

        var deployment = rendered.Single(r => r.Kind == "Deployment");
        Assert.Equal("apps", deployment.Namespace);
        Assert.Equal("registry.local/web:2.0", deployment.MapsAt("spec", "template", "spec", "containers")[0].Str("image"));
        var configMap = rendered.Single(r => r.Kind == "ConfigMap");
        Assert.Equal("docs", configMap.Name);
        Assert.Equal("sre", configMap.Str("metadata", "labels", "team"));
        Assert.Equal("# A\n", configMap.Str("data", "a.md"));
        Assert.Equal("# A\n", configMap.Str("data", "renamed.md"));
        Assert.Equal("strict", configMap.Str("data", "mode"));
    }

    [Fact]
    public void Refuses_features_it_does_not_implement()
    {
        Write("k/kustomization.yaml", "resources: []\npatches:\n  - path: p.yaml\n");
        var error = Assert.Throws<NotSupportedException>(() => Kustomize.Render(Path.Combine(_root, "k")));
        Assert.Contains("patches", error.Message);
    }

    [Fact]
    public void Refuses_hashed_generator_names_it_cannot_propagate()
    {
        Write("k/a.txt", "a");
        Write("k/kustomization.yaml", "configMapGenerator:\n  - name: c\n    files: [a.txt]\n");
        Assert.Throws<NotSupportedException>(() => Kustomize.Render(Path.Combine(_root, "k")));
    }

    [Fact]
    public void Reports_missing_resources_and_duplicate_objects()
    {
        Write("missing/kustomization.yaml", "resources:\n  - nope.yaml\n");
        Assert.Throws<FileNotFoundException>(() => Kustomize.Render(Path.Combine(_root, "missing")));

        Write("dup/web.yaml", Deployment);
        Write("dup/again.yaml", Deployment);
        Write("dup/kustomization.yaml", "resources:\n  - web.yaml\n  - again.yaml\n");
        var error = Assert.Throws<InvalidDataException>(() => Kustomize.Render(Path.Combine(_root, "dup")));
        Assert.Contains("Deployment/-/web", error.Message);
    }

    [Fact]
    public void Refuses_to_move_role_bindings_into_a_namespace()
    {
        Write("rb/binding.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: b\n");
        Write("rb/kustomization.yaml", "namespace: x\nresources:\n  - binding.yaml\n");
        Assert.Throws<NotSupportedException>(() => Kustomize.Render(Path.Combine(_root, "rb")));
    }
}
