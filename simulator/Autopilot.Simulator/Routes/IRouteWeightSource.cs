using System.Collections.Concurrent;
using Autopilot.Remediation.Routing;

namespace Autopilot.Simulator.Routes;

/// <summary>Where the simulator reads the weights traffic follows: the rule of a route carrying the workload's backends.</summary>
public interface IRouteWeightSource
{
    /// <summary>The route's current weights, or null when the route does not exist.</summary>
    IReadOnlyList<BackendWeight>? CurrentWeights(RouteRef route);
}

/// <summary>Routes held in memory; for unit tests and for a simulator run without the Kubernetes API fake.</summary>
public sealed class InMemoryRouteWeights : IRouteWeightSource
{
    private readonly ConcurrentDictionary<RouteRef, IReadOnlyList<BackendWeight>> _routes = new();

    public void Set(RouteRef route, IReadOnlyList<BackendWeight> weights) => _routes[route] = weights;

    public IReadOnlyList<BackendWeight>? CurrentWeights(RouteRef route) => _routes.TryGetValue(route, out var w) ? w : null;
}
