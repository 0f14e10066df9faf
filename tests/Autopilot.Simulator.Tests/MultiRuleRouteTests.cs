using Microsoft.Extensions.Time.Testing;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.KubeApi;
using Autopilot.Simulator.Routes;
using Autopilot.Simulator.Workloads;

namespace Autopilot.Simulator.Tests;

/// <summary>The simulated gateway on a route of several rules: the workload's traffic follows the rule carrying its
/// backends, as patched through the fake API server.</summary>
public sealed class MultiRuleRouteTests
{
    private readonly KubeObjectStore _store = new();
    private readonly WorkloadSpec _checkout = WorkloadSpec.Checkout(requestsPerSecond: 50);

    public MultiRuleRouteTests() =>
        _store.Create(KubeResourceType.HttpRoute, "shop", HttpRouteManifest.Create(_checkout.Route,
            [new RouteRuleSpec("/static", [new BackendWeight("static-web", 1)]),
             new RouteRuleSpec("/api", [new BackendWeight("checkout-v1", 80), new BackendWeight("checkout-v2", 20)])],
            stableBackend: "checkout-v1"));

    [Fact]
    public void The_route_store_serves_the_rule_carrying_the_workloads_backends()
    {
        var weights = new KubeStoreRouteWeights(_store).CurrentWeights(_checkout.Route);

        Assert.Equal([new BackendWeight("checkout-v1", 80), new BackendWeight("checkout-v2", 20)], weights);
    }

    [Fact]
    public void Traffic_follows_a_merge_patch_of_that_rule()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var cluster = new SimulatedCluster(new KubeStoreRouteWeights(_store), time);
        cluster.Add(_checkout);
        // A merge patch replaces the rule list whole, as the bridge sends it.
        _store.Patch(KubeResourceType.HttpRoute, "shop", "checkout", KubeObjectStore.MergePatchContentType, """
            {"spec":{"rules":[
              {"matches":[{"path":{"type":"PathPrefix","value":"/static"}}],"backendRefs":[{"name":"static-web","port":8080,"weight":1}]},
              {"matches":[{"path":{"type":"PathPrefix","value":"/api"}}],"backendRefs":[{"name":"checkout-v1","port":8080,"weight":100},{"name":"checkout-v2","port":8080,"weight":0}]}]}}
            """);

        for (var i = 0; i < 40; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            cluster.Advance();
        }

        var served = cluster.Snapshot().Single().Versions;
        Assert.Equal(500, served.Single(v => v.Version == "checkout-v1").Requests);
        Assert.Equal(0, served.Single(v => v.Version == "checkout-v2").Requests);
    }
}
