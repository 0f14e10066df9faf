using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Proposals;

/// <summary>
/// What the model's proposal must be about: the route it may touch, that route's backends (in route order)
/// and the stable backend. CurrentWeights, when known, lets the grammar and parser enforce the SOP's
/// max_step_percent against the route as it is now. An empty Route means the route could not be read: then only
/// escalate and no_action can be expressed.
/// </summary>
public sealed record ProposalContext(
    string Route,
    IReadOnlyList<string> Backends,
    string? StableBackend,
    IReadOnlyDictionary<string, int>? CurrentWeights = null)
{
    /// <summary>The context for one rule of a route as read from the cluster.</summary>
    public static ProposalContext From(RouteState route, int ruleIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(route);
        var weights = route.Weights(ruleIndex);
        return new ProposalContext(
            route.Route.ToString(),
            weights.Select(w => w.Name).ToArray(),
            route.StableBackend,
            TrafficPlan.Percentages(weights).ToDictionary(w => w.Name, w => w.Weight, StringComparer.Ordinal));
    }
}

/// <summary>Limits every proposal obeys, whatever the SOP says; they keep model output short.</summary>
public static class ProposalLimits
{
    /// <summary>Longest reason, in Unicode code points (what GBNF counts).</summary>
    public const int MaxReasonLength = 160;

    /// <summary>Rate-limit range when the SOP gives no bound.</summary>
    public const int MinRequestsPerSecond = 1;
    public const int MaxRequestsPerSecond = 1_000_000;
}
