using System.Text.Json.Nodes;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.KubeApi;

namespace Autopilot.Simulator.Routes;

/// <summary>
/// Reads the weights traffic follows from the HTTPRoutes in the fake Kubernetes API server, so whatever the
/// gateway-bridge patched there is what the simulated gateway does on the next clock step.
/// </summary>
public sealed class KubeStoreRouteWeights(KubeObjectStore store) : IRouteWeightSource
{
    public IReadOnlyList<BackendWeight>? CurrentWeights(RouteRef route)
    {
        if (store.TryGet(KubeResourceType.HttpRoute, route.Namespace, route.Name) is not { } obj) return null;
        if (obj["spec"]?["rules"] is not JsonArray { Count: > 0 } rules || rules[0]?["backendRefs"] is not JsonArray refs) return [];
        return [.. refs.OfType<JsonObject>().Select(r => new BackendWeight(
            r["name"]?.GetValue<string>() ?? "",
            r["weight"] is JsonValue w && w.TryGetValue<int>(out var weight) ? weight : 1))];
    }

    /// <summary>Creates the route of each simulated workload (stable annotation, workload label) if it is missing.</summary>
    public static void Seed(KubeObjectStore store, IEnumerable<Workloads.WorkloadSpec> workloads)
    {
        foreach (var spec in workloads)
        {
            if (store.TryGet(KubeResourceType.HttpRoute, spec.Route.Namespace, spec.Route.Name) is not null) continue;
            store.Create(KubeResourceType.HttpRoute, spec.Route.Namespace, HttpRouteManifest.Create(
                spec.Route, spec.InitialWeights, spec.StableVersion,
                labels: new Dictionary<string, string> { ["autopilot.io/workload"] = spec.Key.Name }));
        }
    }
}
