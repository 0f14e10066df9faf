using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Proposals;

/// <summary>What a proposal concretely does to one rule of a route. Weights are percentages in route order;
/// After sums to 100. For a rate limit, After equals Before.</summary>
public sealed record ResolvedChange(
    ChangeKind Kind,
    IReadOnlyList<BackendWeight> Before,
    IReadOnlyList<BackendWeight> After,
    RateLimitSpec? RateLimit);

/// <summary>Turns a proposal into the weights it would set, from the route as it is now.</summary>
public static class TrafficPlan
{
    /// <summary>The concrete change, or null for proposals that change no traffic (escalate, no_action).</summary>
    /// <exception cref="InvalidOperationException">The proposal does not fit the route (wrong route, unknown
    /// backend, weights not summing to 100); the message says why. <see cref="TryResolve"/> does not throw.</exception>
    public static ResolvedChange? Resolve(Proposal proposal, RouteState route, string stableBackend, int ruleIndex = 0) =>
        TryResolve(proposal, route, stableBackend, ruleIndex, out var change, out var error)
            ? change
            : throw new InvalidOperationException(error);

    public static bool TryResolve(
        Proposal proposal, RouteState route, string? stableBackend, int ruleIndex,
        out ResolvedChange? change, out string error)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(route);
        change = null;
        error = "";
        if (!proposal.ChangesTraffic) return true;

        if (!ProposalJson.Names(proposal, route.Route))
        {
            error = $"the proposal names route {ProposalJson.RouteOf(proposal)}, not {route.Route}";
            return false;
        }
        var before = route.Weights(ruleIndex);
        if (before.Count == 0)
        {
            error = $"route {route.Route} has no rule {ruleIndex} with backends";
            return false;
        }

        IReadOnlyList<BackendWeight>? after;
        switch (proposal)
        {
            case ShiftTraffic shift:
                after = Shift(shift, before, out error);
                break;
            case RollbackCanary:
                after = Rollback(before, stableBackend, out error);
                break;
            case IsolateBackend isolate:
                after = Isolate(isolate.Backend, before, out error);
                break;
            case SetRateLimit rate:
                if (rate.RequestsPerSecond <= 0)
                {
                    error = $"requests per second must be positive, got {rate.RequestsPerSecond}";
                    return false;
                }
                // Burst of one second's worth: a token bucket that absorbs the spikes the limit itself allows.
                change = new ResolvedChange(ChangeKind.SetRateLimit, before, before, new RateLimitSpec(rate.RequestsPerSecond, rate.RequestsPerSecond));
                return true;
            default:
                error = $"action {proposal.Action} has no traffic plan";
                return false;
        }
        if (after is null) return false;

        var kind = proposal switch
        {
            RollbackCanary => ChangeKind.RollbackToKnownGood,
            IsolateBackend => ChangeKind.IsolateBackend,
            _ => ChangeKind.SetWeights,
        };
        change = new ResolvedChange(kind, before, after, null);
        return true;
    }

    /// <summary>Route weights as percentages summing to 100 (Gateway API weights are relative; ours are
    /// percentages already, but a hand-edited route may say 1/1). Largest remainder, ties to route order.</summary>
    public static IReadOnlyList<BackendWeight> Percentages(IReadOnlyList<BackendWeight> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var total = weights.Sum(w => (long)Math.Max(0, w.Weight));
        if (total == 100 || weights.Count == 0) return weights;
        if (total == 0) return Spread(weights.Select(w => w.Name).ToArray(), weights.Select(_ => 1L).ToArray());
        return Spread(weights.Select(w => w.Name).ToArray(), weights.Select(w => (long)Math.Max(0, w.Weight)).ToArray());
    }

    private static IReadOnlyList<BackendWeight>? Shift(ShiftTraffic shift, IReadOnlyList<BackendWeight> before, out string error)
    {
        error = "";
        var unknown = shift.Weights.Keys.Where(k => before.All(b => b.Name != k)).ToArray();
        if (unknown.Length > 0)
        {
            error = $"unknown backend(s) {string.Join(", ", unknown)}; the route has {string.Join(", ", before.Select(b => b.Name))}";
            return null;
        }
        var missing = before.Where(b => !shift.Weights.ContainsKey(b.Name)).Select(b => b.Name).ToArray();
        if (missing.Length > 0)
        {
            error = $"no weight given for {string.Join(", ", missing)}";
            return null;
        }
        if (shift.Weights.Values.Any(w => w is < 0 or > 100) || shift.Weights.Values.Sum() != 100)
        {
            error = $"weights must be percents 0..100 summing to 100, got {string.Join(", ", shift.Weights.Select(w => $"{w.Key}={w.Value}"))}";
            return null;
        }
        return before.Select(b => new BackendWeight(b.Name, shift.Weights[b.Name])).ToArray();
    }

    private static IReadOnlyList<BackendWeight>? Rollback(IReadOnlyList<BackendWeight> before, string? stableBackend, out string error)
    {
        error = "";
        if (stableBackend is null || before.All(b => b.Name != stableBackend))
        {
            error = $"cannot roll back: stable backend '{stableBackend}' is not one of {string.Join(", ", before.Select(b => b.Name))}";
            return null;
        }
        return before.Select(b => new BackendWeight(b.Name, b.Name == stableBackend ? 100 : 0)).ToArray();
    }

    internal static IReadOnlyList<BackendWeight>? Isolate(string backend, IReadOnlyList<BackendWeight> before, out string error)
    {
        error = "";
        if (before.All(b => b.Name != backend))
        {
            error = $"unknown backend {backend}; the route has {string.Join(", ", before.Select(b => b.Name))}";
            return null;
        }
        var others = before.Where(b => b.Name != backend).ToArray();
        if (others.Length == 0)
        {
            error = $"cannot isolate {backend}: it is the route's only backend";
            return null;
        }
        // The others keep their relative shares; if they had none, they share equally.
        var shares = others.Select(b => (long)Math.Max(0, b.Weight)).ToArray();
        if (shares.All(s => s == 0)) Array.Fill(shares, 1L);
        var spread = Spread(others.Select(b => b.Name).ToArray(), shares).ToDictionary(w => w.Name, w => w.Weight);
        return before.Select(b => new BackendWeight(b.Name, b.Name == backend ? 0 : spread[b.Name])).ToArray();
    }

    /// <summary>Splits 100 in proportion to shares; leftover points go to the largest remainders, ties in order.</summary>
    private static IReadOnlyList<BackendWeight> Spread(string[] names, long[] shares)
    {
        var total = shares.Sum();
        var weights = shares.Select(s => (int)(s * 100 / total)).ToArray();
        var leftover = 100 - weights.Sum();
        var byRemainder = Enumerable.Range(0, names.Length)
            .OrderByDescending(i => shares[i] * 100 % total)
            .ThenBy(i => i)
            .Take(leftover);
        foreach (var i in byRemainder) weights[i]++;
        return names.Select((n, i) => new BackendWeight(n, weights[i])).ToArray();
    }
}
