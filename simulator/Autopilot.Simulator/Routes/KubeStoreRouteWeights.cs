using System.Text.Json.Nodes;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.KubeApi;

namespace Autopilot.Simulator.Routes;

/// <summary>
/// Reads the weights traffic follows from the HTTPRoutes in the fake Kubernetes API server, so whatever the
/// gateway-bridge patched there is what the simulated gateway does on the next clock step. A route may carry
/// several rules; the simulated workload's traffic follows the rule carrying its backends (the route's primary
/// rule: the first carrying the stable backend), the same rule the loop perceives.
/// </summary>
public sealed class KubeStoreRouteWeights(KubeObjectStore store) : IRouteWeightSource
{
    public IReadOnlyList<BackendWeight>? CurrentWeights(RouteRef route)
    {
        if (store.TryGet(KubeResourceType.HttpRoute, route.Namespace, route.Name) is not { } obj) return null;
        var stable = obj["metadata"]?["annotations"]?["autopilot.io/stable-backend"] is JsonValue v && v.TryGetValue<string>(out var name) ? name : null;
        return new RouteState(route, "", HttpRouteManifest.Rules(obj), stable, new Dictionary<string, string>()).Weights();
    }

    /// <summary>Creates the route of each simulated workload (stable annotation, workload label) if it is missing.</summary>
    public static void Seed(KubeObjectStore store, IEnumerable<Workloads.WorkloadSpec> workloads)
    {
        foreach (var spec in workloads)
        {
            if (store.TryGet(KubeResourceType.HttpRoute, spec.Route.Namespace, spec.Route.Name) is not null) continue;
            store.Create(KubeResourceType.HttpRoute, spec.Route.Namespace, HttpRouteManifest.Create(
                spec.Route, spec.InitialRules, spec.StableVersion,
                labels: new Dictionary<string, string> { ["autopilot.io/workload"] = spec.Key.Name }));
        }
    }
}
