using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

public class DeploymentTests
{
    private static Map Annotations(Map deployment) => deployment.RequiredMap("spec", "template", "metadata", "annotations");
    private static Map PodSpec(Map deployment) => deployment.RequiredMap("spec", "template", "spec");
    private static Map MainContainer(Map deployment) => PodSpec(deployment).MapsAt("containers").First();

    private static decimal Quantity(string text)
    {
        var units = new (string Suffix, decimal Factor)[] { ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10), ("m", 0.001m) };
        foreach (var (suffix, factor) in units)
            if (text.EndsWith(suffix, StringComparison.Ordinal)) return decimal.Parse(text[..^suffix.Length]) * factor;
        return decimal.Parse(text);
    }

    [Fact]
    public void Every_deployment_gets_a_dapr_sidecar_with_config_and_metrics()
    {
        var deployments = Manifests.ClusterOfKind("Deployment").ToList();
        Assert.Equal(SharedNames.ClusterAppIds.Count, deployments.Count);
        foreach (var deployment in deployments)
        {
            var annotations = Annotations(deployment);
            Assert.Equal("true", annotations.Str("dapr.io/enabled"));
            Assert.Equal("true", annotations.Str("dapr.io/enable-metrics"));
            var appId = annotations.Required("dapr.io/app-id");
            Assert.Equal(appId, deployment.Name);
            var config = annotations.Required("dapr.io/config");
            var configuration = Manifests.ClusterResource("Configuration", config);
            Assert.Equal(deployment.Namespace, configuration.Namespace);
            var containerPort = MainContainer(deployment).MapsAt("ports").Single(p => p.Str("name") == "http").Required("containerPort");
            Assert.Equal(containerPort, annotations.Str("dapr.io/app-port"));
            Assert.Equal("/healthz", annotations.Str("dapr.io/app-health-check-path"));
        }
    }

    [Fact]
    public void Every_app_has_liveness_and_readiness_probes_on_the_hosting_endpoints()
    {
        foreach (var deployment in Manifests.ClusterOfKind("Deployment"))
        {
            var container = MainContainer(deployment);
            Assert.Equal("/healthz", container.Str("livenessProbe", "httpGet", "path"));
            Assert.Equal("/readyz", container.Str("readinessProbe", "httpGet", "path"));
            Assert.Equal("/metrics", Annotations(deployment).Str("prometheus.io/path"));
        }
    }

    [Fact]
    public void Apps_run_unprivileged_with_a_read_only_root()
    {
        foreach (var deployment in Manifests.ClusterOfKind("Deployment"))
        {
            Assert.Equal("true", PodSpec(deployment).Str("securityContext", "runAsNonRoot"));
            var container = MainContainer(deployment);
            Assert.Equal("false", container.Str("securityContext", "allowPrivilegeEscalation"));
            Assert.Equal("true", container.Str("securityContext", "readOnlyRootFilesystem"));
            Assert.Equal(["ALL"], container.StringsAt("securityContext", "capabilities", "drop"));
        }
    }

    [Fact]
    public void Inference_pool_is_sized_for_a_7b_q4_model_on_cpu_with_guaranteed_cores()
    {
        var container = MainContainer(Manifests.DeploymentFor(SharedNames.InferencePoolAppId));
        var requests = container.RequiredMap("resources", "requests");
        var limits = container.RequiredMap("resources", "limits");
        Assert.True(Quantity(requests.Required("cpu")) >= 8);
        Assert.True(Quantity(requests.Required("memory")) >= 10m * (1L << 30));
        Assert.Equal(requests.Required("cpu"), limits.Required("cpu"));
        Assert.True(Quantity(limits.Required("memory")) >= Quantity(requests.Required("memory")));
        var threads = container.MapsAt("env").Single(e => e.Str("name") == "InferencePool__Threads").Required("value");
        Assert.Equal(Quantity(requests.Required("cpu")), decimal.Parse(threads));
    }

    [Fact]
    public void Inference_pool_reads_its_model_from_a_claimed_volume()
    {
        var deployment = Manifests.DeploymentFor(SharedNames.InferencePoolAppId);
        var volume = PodSpec(deployment).MapsAt("volumes").Single(v => v.MapAt("persistentVolumeClaim") is not null);
        Manifests.ClusterResource("PersistentVolumeClaim", volume.Required("persistentVolumeClaim", "claimName"));
        var mount = MainContainer(deployment).MapsAt("volumeMounts").Single(m => m.Str("name") == volume.Str("name"));
        var modelPath = MainContainer(deployment).MapsAt("env").Single(e => e.Str("name") == "InferencePool__ModelPath").Required("value");
        Assert.StartsWith(mount.Required("mountPath") + "/", modelPath);
        Assert.Equal("Recreate", deployment.Str("spec", "strategy", "type"));
    }

    [Fact]
    public void Actors_mount_the_sop_library_and_policies_from_configmaps_that_exist()
    {
        var deployment = Manifests.DeploymentFor(SharedNames.ActorsAppId);
        var configMaps = PodSpec(deployment).MapsAt("volumes").Select(v => v.Str("configMap", "name")).OfType<string>().ToList();
        Assert.Equal(new[] { "autopilot-policies", "autopilot-sops" }, configMaps.Order());
        foreach (var name in configMaps)
            Assert.Equal(deployment.Namespace, Manifests.ClusterResource("ConfigMap", name).Namespace);
    }

    [Theory]
    [InlineData("Autopilot__Incidents__SopDirectory", "sops")]
    [InlineData("Autopilot__Guardrail__PolicyDirectory", "policies")]
    public void Actors_read_sops_and_policies_where_they_are_mounted(string setting, string volume)
    {
        var deployment = Manifests.DeploymentFor(SharedNames.ActorsAppId);
        var container = MainContainer(deployment);
        var mount = container.MapsAt("volumeMounts").Single(m => m.Str("name") == volume);
        Assert.Equal(mount.Required("mountPath"), container.MapsAt("env").Single(e => e.Str("name") == setting).Required("value"));
    }

    [Fact]
    public void The_sop_index_is_written_to_a_writable_volume()
    {
        var container = MainContainer(Manifests.DeploymentFor(SharedNames.ActorsAppId));
        var index = container.MapsAt("env").Single(e => e.Str("name") == "Autopilot__Incidents__SopIndexPath").Required("value");
        var mount = container.MapsAt("volumeMounts").Single(m => index.StartsWith(m.Required("mountPath") + "/", StringComparison.Ordinal));
        Assert.NotEqual("true", mount.Str("readOnly"));
    }

    [Fact]
    public void Alertmanager_reaches_the_actors_webhook_through_a_service()
    {
        var service = Manifests.ClusterResource("Service", SharedNames.ActorsAppId);
        var port = Assert.Single(service.MapsAt("spec", "ports"));
        Assert.Equal("monitoring", port.Str("targetPort")); // the port that serves only the webhook, /metrics and probes
        Assert.Equal(SharedNames.ActorsAppId, service.Str("spec", "selector", "app.kubernetes.io/name"));
        // inference-pool and gateway-bridge are reachable only through their sidecars.
        Assert.Single(Manifests.ClusterOfKind("Service"));
    }

    [Fact]
    public void Gateway_bridge_only_accepts_traffic_from_the_actors_sidecar_and_monitoring()
    {
        var policy = Manifests.ClusterResource("NetworkPolicy", "gateway-bridge-ingress");
        var fromPods = policy.MapsAt("spec", "ingress").SelectMany(i => i.MapsAt("from"))
            .Select(f => f.Str("podSelector", "matchLabels", "app.kubernetes.io/name")).OfType<string>().Distinct();
        Assert.Equal([SharedNames.GuardrailAppId], fromPods);
        var denyAll = Manifests.ClusterResource("NetworkPolicy", "default-deny-ingress");
        Assert.Empty(denyAll.RequiredMap("spec", "podSelector"));
    }

    [Fact]
    public void Every_namespaced_resource_lands_in_the_autopilot_namespace_except_route_grants()
    {
        foreach (var resource in Manifests.Cluster.Where(r => r.Kind is not ("Namespace" or "ClusterRole")))
        {
            // Route grants live in the namespaces Autopilot protects (the sample's `shop`).
            var isRouteGrant = resource.Kind == "RoleBinding" && resource.Str("roleRef", "kind") == "ClusterRole";
            Assert.True(isRouteGrant ? resource.Namespace is not null : resource.Namespace == SharedNames.Namespace,
                $"{resource.Describe()} is not in namespace {SharedNames.Namespace}");
        }
    }
}
