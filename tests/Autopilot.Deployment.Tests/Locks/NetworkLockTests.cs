using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests.Locks;

/// <summary>
/// Lock (a), the network, alone: the NetworkPolicies `kubectl kustomize deploy/overlays/production` renders, evaluated
/// as Kubernetes evaluates them, with no other lock in the picture (no Dapr access control, no app API token, no
/// approval token, no RBAC). Every TCP port of every Autopilot pod is tried from the monitoring namespace, from a
/// workload namespace and from the other Autopilot pods. That the monitoring port itself serves only what monitoring
/// needs is <see cref="MonitoringPortTests"/>.
/// </summary>
public sealed class NetworkLockTests
{
    private const int DaprdInternalPort = 50002;
    private const int DaprdMetricsPort = 9090;

    private static IReadOnlyList<Map> Policies => [.. Manifests.ClusterOfKind("NetworkPolicy")];

    private static PodIdentity Pod(string appId) => PodIdentity.Of(Manifests.DeploymentFor(appId));

    private static readonly PodIdentity Monitoring = PodIdentity.Elsewhere("monitoring");

    private static int AppPort(string appId) =>
        int.Parse(Manifests.DeploymentFor(appId).Required("spec", "template", "metadata", "annotations", "dapr.io/app-port"));

    /// <summary>The port the app itself serves monitoring on, as its container is configured.</summary>
    private static int MonitoringPortOf(string appId) =>
        int.Parse(Manifests.DeploymentFor(appId).MapsAt("spec", "template", "spec", "containers").SelectMany(c => c.MapsAt("env"))
            .Single(e => e.Str("name") == "Autopilot__Monitoring__Port").Required("value"));

    private static IEnumerable<int> AllPorts => Enumerable.Range(1, 65535);

    private static List<int> Reachable(PodIdentity from, string appId)
    {
        var (policies, to) = (Policies, Pod(appId));
        return [.. AllPorts.Where(port => NetworkPolicies.Allows(policies, from, to, port))];
    }

    [Fact]
    public void Every_autopilot_pod_is_selected_by_a_default_deny_policy()
    {
        foreach (var appId in SharedNames.ClusterAppIds)
            Assert.False(NetworkPolicies.Allows(Policies, PodIdentity.Elsewhere(SharedNames.Namespace), Pod(appId), AppPort(appId)), appId);
    }

    [Fact]
    public void Monitoring_reaches_only_each_apps_monitoring_port_and_daprds_metrics()
    {
        foreach (var appId in SharedNames.ClusterAppIds)
        {
            Assert.Equal([MonitoringPortOf(appId), DaprdMetricsPort], Reachable(Monitoring, appId).Order());
            Assert.NotEqual(AppPort(appId), MonitoringPortOf(appId));
        }
    }

    [Fact]
    public void No_pod_reaches_an_apps_own_port_which_only_its_sidecar_calls_over_localhost()
    {
        var sources = SharedNames.ClusterAppIds.Select(Pod).Append(Monitoring).Append(PodIdentity.Elsewhere("shop")).Append(PodIdentity.Elsewhere("kube-system"));
        foreach (var appId in SharedNames.ClusterAppIds)
            foreach (var from in sources)
                Assert.False(NetworkPolicies.Allows(Policies, from, Pod(appId), AppPort(appId)), $"{from.Namespace}/{string.Join(",", from.Labels.Values)} -> {appId}:{AppPort(appId)}");
    }

    [Fact]
    public void Only_the_guardrails_pods_reach_gateway_bridges_sidecar()
    {
        var bridge = SharedNames.GatewayBridgeAppId;
        Assert.Equal([DaprdInternalPort], Reachable(Pod(SharedNames.GuardrailAppId), bridge));
        Assert.Empty(Reachable(Pod(SharedNames.ActorsAppId), bridge));
        Assert.Empty(Reachable(Pod(SharedNames.InferencePoolAppId), bridge));
        Assert.Empty(Reachable(Pod(bridge), bridge));
        Assert.DoesNotContain(DaprdInternalPort, Reachable(Monitoring, bridge));
    }

    [Fact]
    public void Only_the_incident_actors_reach_the_guardrails_sidecar()
    {
        var guardrail = SharedNames.GuardrailAppId;
        Assert.Equal([DaprdInternalPort], Reachable(Pod(SharedNames.ActorsAppId), guardrail));
        Assert.Empty(Reachable(Pod(SharedNames.InferencePoolAppId), guardrail));
        Assert.Empty(Reachable(Pod(SharedNames.GatewayBridgeAppId), guardrail));
        Assert.DoesNotContain(DaprdInternalPort, Reachable(Monitoring, guardrail));
    }

    [Fact]
    public void A_workload_namespace_reaches_no_port_of_any_autopilot_pod()
    {
        foreach (var appId in SharedNames.ClusterAppIds)
            Assert.Empty(Reachable(PodIdentity.Elsewhere("shop"), appId));
    }

    [Fact]
    public void Alertmanager_prometheus_and_the_probes_use_the_monitoring_port()
    {
        var actors = Pod(SharedNames.ActorsAppId);
        var service = Manifests.ClusterResource("Service", SharedNames.ActorsAppId);
        var target = Assert.Single(service.MapsAt("spec", "ports")).Required("targetPort");
        Assert.Equal(MonitoringPortOf(SharedNames.ActorsAppId), actors.NamedPorts.TryGetValue(target, out var named) ? named : int.Parse(target));
        foreach (var appId in SharedNames.ClusterAppIds)
        {
            var deployment = Manifests.DeploymentFor(appId);
            var pod = PodIdentity.Of(deployment);
            Assert.Equal(MonitoringPortOf(appId).ToString(), deployment.Required("spec", "template", "metadata", "annotations", "prometheus.io/port"));
            var container = deployment.MapsAt("spec", "template", "spec", "containers").Single();
            foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" }.Select(p => container.MapAt(p)).OfType<Map>())
                Assert.Equal(MonitoringPortOf(appId), pod.NamedPorts[probe.Required("httpGet", "port")]);
            var urls = container.MapsAt("env").Single(e => e.Str("name") == "ASPNETCORE_URLS").Required("value");
            Assert.Contains($":{MonitoringPortOf(appId)}", urls);
            Assert.Contains($":{AppPort(appId)}", urls);
        }
    }
}
